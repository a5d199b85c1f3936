#pragma once
// Why NERO finds a frame unfamiliar, neuron by neuron (docs/detectors.md, NERO): the head relevance
// of the frame, its nearest class centroid, each neuron's deviation from that class's mean
// relevance, the least-relevant set behind the feature-norm factor, and an exact split of the
// relevance distance into per-neuron shares.

#include "detect/detector.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace ood {

struct NeuronExplanation
{
    int64_t nearestClass = -1;           ///< label of the nearest NERO centroid c*
    std::vector<int64_t> centroidLabels; ///< label of every centroid, in the profile's order
    std::vector<double> classDistances;  ///< L1 distance in PCA space to every centroid
    double relevanceDistance = 0;        ///< d(x) = min_c |pi(R) - mu_c|_1
    double biasRelevance = 0;            ///< r_b
    double biasScale = 0;                ///< s_b
    double featureNormFactor = 0;        ///< phi(x)
    double score = 0;                    ///< (d + s_b |r_b|) phi = the NERO score
    /// The profile predates stored neuron-space centroids: `centroid` is the PCA back-projection
    /// m + V mu_c* (the class mean relevance projected onto the kept components).
    bool centroidIsProjection = false;
    bool nearZeroLogit = false; ///< a logit was ~0 and its denominator was nudged (headrelevance.h)

    // Per neuron, [D] float64 (leastRelevant: bool).
    at::Tensor activation; ///< h_j
    at::Tensor relevance;  ///< R_j
    at::Tensor centroid;   ///< mean TRAIN relevance of class c*
    at::Tensor deviation;  ///< R_j - centroid_j
    /// Share of d(x): (V s)_j (R - m - V mu_c*)_j with s the signs of the PCA-space difference.
    /// Sums to d(x) exactly, so "neuron j adds this much to the distance" is literal.
    at::Tensor contribution;
    at::Tensor leastRelevant; ///< membership of S(x), the k least relevant neurons

    /// Neurons by descending contribution to d(x), at most `count`.
    std::vector<int64_t> topContributors(int64_t count) const;
};

/// `nero` must be a fitted NERO detector (id "nero"); `features` [D] or [1,D] is the frame's
/// penultimate activation, `headWeight` [C,D], `headBias` [C]. Throws ood::Error otherwise.
NeuronExplanation explainNeurons(const Detector &nero, const at::Tensor &features,
                                 const at::Tensor &headWeight, const at::Tensor &headBias);

} // namespace ood

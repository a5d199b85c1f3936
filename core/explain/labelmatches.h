#pragma once
// Why a CLIP verdict came out as it did, in words: the ID labels and the negative labels the
// frame's image embedding matched most, with their cosine similarities. NegLabel and NegRefine
// flag a frame when its best negative labels come close to, or beat, its best ID labels.

#include "calib/profile.h"

#include <ATen/Tensor.h>

#include <string>
#include <vector>

namespace ood {

class ClipBackbone;

struct LabelMatch
{
    std::string label;
    double cosine = 0; ///< cosine similarity of the frame's image embedding and the label's text
};

struct LabelMatches
{
    std::vector<LabelMatch> idLabels;       ///< every ID label, most similar first
    std::vector<LabelMatch> negativeLabels; ///< the closest negative labels, most similar first
    std::string negativesFrom;              ///< the detector id whose negative labels these are
    std::string negativeSource;             ///< where those negatives came from (profile record)
};

/// `features` [1,D] unit image embedding. Negative labels come from the profile's negrefine
/// detector, else its neglabel one; without either the list is empty.
LabelMatches matchLabels(const ClipBackbone &clip, const Profile &profile, const at::Tensor &features,
                         int topNegatives = 10);

} // namespace ood

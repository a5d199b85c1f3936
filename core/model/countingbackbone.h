#pragma once
// A Backbone that passes every call on to another and counts what goes through the model: how an
// explanation knows what each of its stages cost (FrameExplanation::forwardImages), and how tests
// check that shared passes run once. Thread-safe, as the Backbone it wraps (model/backbone.h).

#include "model/backbone.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace ood {

class CountingBackbone final : public Backbone
{
  public:
    /// `inner` must outlive the counter.
    explicit CountingBackbone(Backbone &inner) : m_inner(inner) {}

    std::string architecture() const override { return m_inner.architecture(); }
    int numClasses() const override { return m_inner.numClasses(); }
    int featureDim() const override { return m_inner.featureDim(); }
    Activations forward(const at::Tensor &input, const ForwardRequest &request) override
    {
        const int64_t images = input.defined() && input.dim() > 0 ? input.size(0) : 0;
        m_forwardImages += images;
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_forwardBatches.push_back(images);
        }
        return m_inner.forward(input, request);
    }
    /// Counts the images and the call; a hook on the logits counts each backward pass that
    /// reaches them.
    at::Tensor logitsWithGradient(const at::Tensor &input) override
    {
        m_gradientImages += input.defined() && input.dim() > 0 ? input.size(0) : 0;
        ++m_graphForwards;
        const at::Tensor logits = m_inner.logitsWithGradient(input);
        if (logits.requires_grad())
            logits.register_hook([this](const at::Tensor &) { ++m_backwards; });
        return logits;
    }
    at::Tensor headWeight() const override { return m_inner.headWeight(); }
    at::Tensor headBias() const override { return m_inner.headBias(); }
    bool hasLearnedTemperature() const override { return m_inner.hasLearnedTemperature(); }
    at::Tensor featuresFromEarly(const at::Tensor &early) override
    {
        return m_inner.featuresFromEarly(early);
    }
    bool canRunFromEarly() const override { return m_inner.canRunFromEarly(); }
    std::string inferenceDescription() const override { return m_inner.inferenceDescription(); }
    const ClipBackbone *asClip() const override { return m_inner.asClip(); }

    /// Passes that run beside the Backbone on a copy of the model (LRP's canonised network).
    void countGradientImages(int64_t images) { m_gradientImages += images; }

    /// Images through forward().
    int64_t forwardImages() const { return m_forwardImages; }
    /// forward() calls, with the images of each.
    std::vector<int64_t> forwardBatches() const
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        return m_forwardBatches;
    }
    /// Images through logitsWithGradient() (and countGradientImages).
    int64_t gradientImages() const { return m_gradientImages; }
    /// logitsWithGradient() calls.
    int64_t graphForwards() const { return m_graphForwards; }
    /// Backward passes that reached logits of logitsWithGradient().
    int64_t backwards() const { return m_backwards; }
    void reset()
    {
        m_forwardImages = m_gradientImages = m_graphForwards = m_backwards = 0;
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_forwardBatches.clear();
    }

  private:
    Backbone &m_inner;
    std::atomic<int64_t> m_forwardImages{0}, m_gradientImages{0}, m_graphForwards{0}, m_backwards{0};
    mutable std::mutex m_mutex;
    std::vector<int64_t> m_forwardBatches;
};

} // namespace ood

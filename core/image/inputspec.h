#pragma once
// How an image becomes the tensor a model expects: size, resize policy, normalisation. Part of the
// model card (model/modelcard.h), but needed below the model layer by preprocessing and the batch
// loader.

#include <array>

namespace ood {

enum class ResizePolicy {
    Stretch, ///< torchvision Resize((H,W)): both sides to the target, aspect ratio ignored (NERO)
    /// CLIP's: torchvision Resize(size, BICUBIC) (short side to `size`, aspect ratio kept), then
    /// CenterCrop(size); width == height == size.
    ShortSideBicubicCenterCrop,
};

struct InputSpec
{
    int width = 224;
    int height = 224;
    ResizePolicy resize = ResizePolicy::Stretch;
    /// Per-channel (R,G,B) mean and std applied after scaling pixels to [0,1].
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

} // namespace ood

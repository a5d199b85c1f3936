#pragma once
// The model card: everything needed to turn an image file into the tensor a model expects,
// and to recognise the model again later.

#include <array>
#include <string>
#include <vector>

namespace ood {

enum class ResizePolicy {
    Stretch, ///< torchvision Resize((H,W)): both sides to the target, aspect ratio ignored (NERO)
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

struct ModelCard
{
    std::string architecture; ///< "resnet18", "resnet34", "resnet50", "torchscript"
    std::string modelPath;    ///< where the weights were read from
    std::string sha256;       ///< hex digest of the model file
    int numClasses = 0;
    int featureDim = 0;
    std::vector<std::string> classNames; ///< in label order (sorted folder names for ImageFolder)
    InputSpec input;
};

} // namespace ood

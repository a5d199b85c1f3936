#pragma once
// The model card: everything needed to turn an image file into the tensor a model expects,
// and to recognise the model again later.

#include "image/inputspec.h"
#include "model/inferenceoptions.h"

#include <array>
#include <string>
#include <vector>

namespace ood {

struct ModelCard
{
    std::string architecture; ///< "resnet18", "resnet34", "resnet50", "torchscript"
    std::string modelPath;    ///< where the weights were read from
    std::string sha256;       ///< hex digest of the model file
    int numClasses = 0;
    int featureDim = 0;
    std::vector<std::string> classNames; ///< in label order (sorted folder names for ImageFolder)
    InputSpec input;
    /// Number format the detectors were fitted in (a profile's thresholds are exact for it only).
    Precision precision = Precision::Float32;
};

} // namespace ood

#pragma once
// Opening a classifier from a file: torchvision state_dicts (plain, `module.`-prefixed, wrapped
// under "state_dict"/"model"), whole pickled torchvision models (read without executing code),
// and TorchScript archives that follow docs/model-contract.md.

#include "model/backbone.h"
#include "model/modelcard.h"
#include "model/inferenceoptions.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ood {

/// Parameters and buffers by their dotted torchvision name, in file order.
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

struct LoadedModel
{
    std::unique_ptr<Backbone> backbone;
    ModelCard card; ///< architecture, path, sha256, numClasses, featureDim filled in
};

/// `architecture` is "resnet18", "resnet34", "resnet50", "torchscript" or "clip" (a CLIP exported
/// with app/python/export_clip_for_ood_inspector.py; `classNames` are then its ID labels and the
/// head is made from their text). Throws ood::Error with a specific message (missing file, not a
/// checkpoint, first mismatching key and shape, a CLIP without class names, ...).
LoadedModel loadModel(const std::string &path, const std::string &architecture,
                      const std::vector<std::string> &classNames = {},
                      const InferenceOptions &inference = {});

/// Hex sha256 of a file's bytes. Throws ood::Error when the file cannot be read.
std::string sha256OfFile(const std::string &path);

} // namespace ood

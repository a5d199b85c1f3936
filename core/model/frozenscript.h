#pragma once
// Opening a TorchScript archive the way every scripted model here is opened: the file checked,
// loaded on the CPU, in eval mode, every parameter frozen (autograd is only ever wanted with
// respect to the input: ODIN, PRO, saliency). Shared by TorchScriptBackbone and ClipModel.

#include <torch/script.h>

#include <string>

namespace ood {

/// Throws ood::Error "<what> <path> does not exist", "<path> is not a file", or "<path> is not a
/// TorchScript archive (torch.jit.save): <reason><contract>". `extraFiles` (may be null) receives
/// the archive's extra files named in it (empty when the archive has none by that name).
torch::jit::Module loadFrozenScript(const std::string &path, const std::string &what,
                                    const std::string &contract,
                                    torch::jit::ExtraFilesMap *extraFiles = nullptr);

} // namespace ood

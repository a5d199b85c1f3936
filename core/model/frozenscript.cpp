#include "model/frozenscript.h"

#include "base/error.h"
#include "model/messagetext.h"

// Qt
#include <QFileInfo>

namespace ood {

torch::jit::Module loadFrozenScript(const std::string &path, const std::string &what,
                                    const std::string &contract, torch::jit::ExtraFilesMap *extraFiles)
{
    const QFileInfo info(QString::fromStdString(path));
    if (!info.exists())
        throw Error(what + " " + path + " does not exist");
    if (!info.isFile())
        throw Error(path + " is not a file");
    torch::jit::ExtraFilesMap none;
    torch::jit::Module module;
    try {
        module = torch::jit::load(path, torch::kCPU, extraFiles ? *extraFiles : none);
    } catch (const c10::Error &e) {
        throw Error(path + " is not a TorchScript archive (torch.jit.save): " +
                    firstLine(e.what_without_backtrace()) + contract);
    }
    module.eval();
    for (at::Tensor parameter : module.parameters())
        parameter.set_requires_grad(false);
    return module;
}

} // namespace ood

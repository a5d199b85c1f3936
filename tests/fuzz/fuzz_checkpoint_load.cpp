// libFuzzer: any bytes through readCheckpointTensors, the restricted reader of torch.save files
// (zip container by LibTorch, data.pkl by our own unpickler); input layout in torchinput.h.
// Only ood::Error may come out.

#include "base/error.h"
#include "model/checkpointreader.h"

#include "torchinput.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString &path = ood::fuzz::writeTorchInput("checkpoint.pt", data, size);
    try {
        const ood::NamedTensors tensors = ood::readCheckpointTensors(path.toStdString());
        for (const auto &[name, tensor] : tensors)
            if (!tensor.defined())
                std::abort();
    } catch (const ood::Error &) {
    }
    return 0;
}

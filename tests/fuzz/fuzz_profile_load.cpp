// libFuzzer: any bytes through loadProfile (LibTorch's zip and pickle reader, then our
// validation and every detector's setState); input layout in torchinput.h. Only ood::Error may
// come out.

#include "calib/profile.h"
#include "base/error.h"

#include "torchinput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString &path = ood::fuzz::writeTorchInput("profile.oodprofile", data, size);
    try {
        const ood::Profile profile = ood::loadProfile(path);
        (void)profile;
    } catch (const ood::Error &) {
    }
    return 0;
}

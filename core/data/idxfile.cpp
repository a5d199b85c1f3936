#include "data/idxfile.h"

#include "base/error.h"

#include <QFileInfo>
#include <QStringList>

#include <torch/torch.h>
#include <zlib.h>

#include <memory>

namespace ood {

namespace {

struct GzCloser
{
    void operator()(gzFile_s *f) const { gzclose(f); }
};

} // namespace

at::Tensor readIdxFile(const QString &path)
{
    const std::string name = path.toStdString();
    if (!QFileInfo(path).isFile())
        throw Error("IDX file " + name + " does not exist");
    // gzread reads plain files unchanged, so one code path serves .gz and uncompressed files.
    std::unique_ptr<gzFile_s, GzCloser> file(gzopen(name.c_str(), "rb"));
    if (!file)
        throw Error("cannot open IDX file " + name);
    unsigned char header[4];
    if (gzread(file.get(), header, 4) != 4)
        throw Error(name + " is too short to be an IDX file");
    if (header[0] != 0 || header[1] != 0 || header[2] != 0x08)
        throw Error(name + " is not an unsigned-byte IDX file (bad magic number)");
    const int dims = header[3];
    if (dims < 1 || dims > 4)
        throw Error(name + " declares " + std::to_string(dims) + " dimensions");
    std::vector<int64_t> shape;
    int64_t total = 1;
    for (int d = 0; d < dims; ++d) {
        unsigned char b[4];
        if (gzread(file.get(), b, 4) != 4)
            throw Error(name + " is truncated in its header");
        const int64_t size =
            (int64_t(b[0]) << 24) | (int64_t(b[1]) << 16) | (int64_t(b[2]) << 8) | int64_t(b[3]);
        if (size <= 0 || size > (1 << 24))
            throw Error(name + " declares an implausible size " + std::to_string(size));
        shape.push_back(size);
        total *= size;
    }
    if (total > (int64_t(1) << 31))
        throw Error(name + " declares more data than an IDX file of this kind holds");
    at::Tensor data = torch::empty(shape, torch::kUInt8);
    auto *out = data.data_ptr<uint8_t>();
    int64_t read = 0;
    while (read < total) {
        const auto chunk = static_cast<unsigned>(std::min<int64_t>(total - read, 1 << 26));
        const int got = gzread(file.get(), out + read, chunk);
        if (got <= 0)
            throw Error(name + " is truncated: " + std::to_string(read) + " of " + std::to_string(total) +
                        " bytes");
        read += got;
    }
    return data;
}

const QStringList &fashionMnistClassNames()
{
    static const QStringList names = {"T-shirt_top", "Trouser", "Pullover", "Dress", "Coat",
                                      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle_boot"};
    return names;
}

} // namespace ood

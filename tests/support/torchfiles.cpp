#include "support/torchfiles.h"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <numeric>

namespace ood::test {

PickleWriter &PickleWriter::global(const std::string &module, const std::string &name)
{
    op('c');
    m_bytes.append(module.data(), static_cast<int>(module.size())).append('\n');
    m_bytes.append(name.data(), static_cast<int>(name.size())).append('\n');
    return *this;
}

PickleWriter &PickleWriter::string(const std::string &text)
{
    op('X');
    const auto n = static_cast<uint32_t>(text.size());
    for (int i = 0; i < 4; ++i)
        byte(static_cast<uint8_t>(n >> (8 * i)));
    m_bytes.append(text.data(), static_cast<int>(text.size()));
    return *this;
}

PickleWriter &PickleWriter::integer(int64_t value)
{
    if (value >= INT32_MIN && value <= INT32_MAX) {
        op('J');
        for (int i = 0; i < 4; ++i)
            byte(static_cast<uint8_t>(static_cast<uint32_t>(value) >> (8 * i)));
    } else {
        op(0x8a).byte(8); // LONG1, 8 bytes little-endian two's complement
        for (int i = 0; i < 8; ++i)
            byte(static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * i)));
    }
    return *this;
}

PickleWriter &PickleWriter::tensor(const std::string &key, int64_t numel, const std::vector<int64_t> &shape)
{
    // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
    global("torch._utils", "_rebuild_tensor_v2").mark();
    mark().string("storage").global("torch", "FloatStorage").string(key).string("cpu").integer(numel).tuple();
    persistentId().integer(0);
    mark();
    for (int64_t s : shape)
        integer(s);
    tuple().mark();
    int64_t stride = 1;
    std::vector<int64_t> strides(shape.size());
    for (size_t i = shape.size(); i-- > 0;) {
        strides[i] = stride;
        stride *= shape[i];
    }
    for (int64_t s : strides)
        integer(s);
    tuple().boolean(false).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    return *this;
}

QByteArray stateDictPickle(const std::vector<FloatTensor> &tensors)
{
    PickleWriter p;
    p.proto().global("collections", "OrderedDict").emptyTuple().reduce().mark();
    for (size_t i = 0; i < tensors.size(); ++i) {
        const int64_t numel = std::accumulate(tensors[i].shape.begin(), tensors[i].shape.end(), int64_t(1),
                                              std::multiplies<>());
        p.string(tensors[i].name).tensor(std::to_string(i), numel, tensors[i].shape);
    }
    p.setItems().stop();
    return p.bytes();
}

QByteArray torchSaveZip(const QByteArray &pickle,
                        const std::vector<std::pair<std::string, QByteArray>> &storages)
{
    QByteArray out;
    {
        caffe2::serialize::PyTorchStreamWriter writer([&out](const void *data, size_t size) {
            out.append(static_cast<const char *>(data), static_cast<int>(size));
            return size;
        });
        writer.writeRecord("data.pkl", pickle.constData(), static_cast<size_t>(pickle.size()));
        for (const auto &[key, bytes] : storages)
            writer.writeRecord("data/" + key, bytes.constData(), static_cast<size_t>(bytes.size()));
        writer.writeEndOfFile();
    }
    return out;
}

QByteArray stateDictFile(const std::vector<FloatTensor> &tensors)
{
    std::vector<std::pair<std::string, QByteArray>> storages;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const int64_t numel = std::accumulate(tensors[i].shape.begin(), tensors[i].shape.end(), int64_t(1),
                                              std::multiplies<>());
        std::vector<float> values = tensors[i].values;
        if (values.empty()) {
            values.resize(static_cast<size_t>(numel));
            std::iota(values.begin(), values.end(), 0.0f);
        }
        storages.emplace_back(std::to_string(i), QByteArray(reinterpret_cast<const char *>(values.data()),
                                                            static_cast<int>(values.size() * sizeof(float))));
    }
    return torchSaveZip(stateDictPickle(tensors), storages);
}

} // namespace ood::test

#include "model/checkpointreader.h"

#include "base/error.h"
#include "io/restrictedunpickler.h"

#include <QFile>
#include <QFileInfo>

#include <caffe2/serialize/inline_container.h>

#include <algorithm>

namespace ood {

namespace {

void collectModule(const PickleValue &module, const std::string &prefix, NamedTensors &out, int depth)
{
    if (depth > 200 || module.kind != PickleValue::Kind::Object || !module.state)
        return;
    const PickleValue &state = *module.state;
    for (const char *group : {"_parameters", "_buffers"}) {
        if (const PickleValue *entries = dictGet(state, group))
            for (const auto &[k, v] : entries->entries)
                if (k->kind == PickleValue::Kind::String && v->kind == PickleValue::Kind::Tensor)
                    out.emplace_back(prefix + k->text, v->tensor);
    }
    if (const PickleValue *children = dictGet(state, "_modules"))
        for (const auto &[k, v] : children->entries)
            if (k->kind == PickleValue::Kind::String)
                collectModule(*v, prefix + k->text + ".", out, depth + 1);
}

bool looksLikeModule(const PickleValue &v)
{
    return v.kind == PickleValue::Kind::Object && v.state && dictGet(*v.state, "_modules");
}

NamedTensors collect(const PickleValue &root)
{
    NamedTensors out;
    if (looksLikeModule(root)) {
        collectModule(root, "", out, 0);
        return out;
    }
    if (root.kind != PickleValue::Kind::Dict)
        return out;
    for (const char *wrapper : {"state_dict", "model_state_dict", "model", "net"}) {
        if (const PickleValue *inner = dictGet(root, wrapper)) {
            NamedTensors nested = collect(*inner);
            if (!nested.empty())
                return nested;
        }
    }
    for (const auto &[k, v] : root.entries)
        if (k->kind == PickleValue::Kind::String && v->kind == PickleValue::Kind::Tensor)
            out.emplace_back(k->text, v->tensor);
    return out;
}

} // namespace

NamedTensors readCheckpointTensors(const std::string &path)
{
    const QString qpath = QString::fromStdString(path);
    const QFileInfo info(qpath);
    if (!info.exists())
        throw Error("checkpoint " + path + " does not exist");
    if (info.isDir())
        throw Error("checkpoint " + path + " is a folder, not a file");
    if (!info.isFile())
        throw Error("checkpoint " + path + " is not a regular file (a pipe, socket or device)");
    QFile file(qpath);
    if (!file.open(QIODevice::ReadOnly))
        throw Error("checkpoint " + path + " cannot be read: " + file.errorString().toStdString());
    const QByteArray head = file.read(4);
    if (head.size() < 2)
        throw Error("checkpoint " + path + " is empty or too short");
    if (!head.startsWith("PK")) {
        if (static_cast<uint8_t>(head[0]) == 0x80)
            throw Error("checkpoint " + path +
                        " uses PyTorch's legacy (pre-1.6) format; re-save it with torch.save(obj, path) in a "
                        "newer PyTorch, or convert it with app/python/export_for_ood_inspector.py");
        throw Error(path + " is not a PyTorch checkpoint (not a zip archive)");
    }
    file.close();

    NamedTensors tensors;
    withTorchArchive(path, "checkpoint", [&](caffe2::serialize::PyTorchStreamReader &archive) {
        if (archive.hasRecord("constants.pkl") || archive.hasRecord("code/__torch__.py"))
            throw Error(path + " is a TorchScript file: use --arch torchscript");
        if (!archive.hasRecord("data.pkl"))
            throw Error("checkpoint " + path + " has no data.pkl: not a torch.save file");
        auto [pickle, size] = archive.getRecord("data.pkl");
        RestrictedUnpickler unpickler(static_cast<const uint8_t *>(pickle.get()), size, archive, path);
        const PickleValuePtr root = unpickler.run();
        tensors = collect(*root);
    });
    if (tensors.empty())
        throw Error("checkpoint " + path + " holds no tensors (expected a state_dict or a pickled model)");
    const bool allPrefixed = std::all_of(tensors.begin(), tensors.end(),
                                         [](const auto &t) { return t.first.rfind("module.", 0) == 0; });
    if (allPrefixed)
        for (auto &t : tensors)
            t.first.erase(0, 7);
    return tensors;
}

} // namespace ood

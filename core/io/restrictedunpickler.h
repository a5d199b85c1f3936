#pragma once
// A restricted unpickler for the data.pkl of PyTorch zip files: it rebuilds plain data and
// tensors and executes nothing. Classes named in the file (a whole pickled torchvision ResNet, its
// Conv2d and BatchNorm2d modules, torch.device, ...) become inert records of their pickled
// state. Every length, index and shape read from the file is checked before it is used, which
// LibTorch's own unpickler does not do. Shared by the checkpoint reader (which collects a
// state_dict from the values) and the profile reader (which checks a profile before LibTorch
// reads it).

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace caffe2::serialize {
class PyTorchStreamReader;
} // namespace caffe2::serialize

namespace ood {

struct PickleValue;
using PickleValuePtr = std::shared_ptr<PickleValue>;

/// What the restricted unpickler builds. Everything that is not plain data or a tensor is an
/// Object: a class name and the state BUILD gave it.
struct PickleValue
{
    enum class Kind {
        None,
        Bool,
        Int,
        Float,
        String,
        Bytes,
        Tuple,
        List,
        Dict,
        Tensor,
        Global,
        Object,
        Storage,
        Mark
    };
    Kind kind = Kind::None;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0;
    std::string text;                  ///< String, Bytes; Global/Object: "module.name"
    std::vector<PickleValuePtr> items; ///< Tuple, List
    std::vector<std::pair<PickleValuePtr, PickleValuePtr>> entries; ///< Dict
    at::Tensor tensor;                                              ///< Tensor; Storage: the flat storage
    PickleValuePtr state;                                           ///< Object

    static PickleValuePtr make(Kind k)
    {
        auto v = std::make_shared<PickleValue>();
        v->kind = k;
        return v;
    }
};

/// The entry under the string key `key` of a Dict value; nullptr when `dict` is not a Dict or has
/// no such key.
const PickleValue *dictGet(const PickleValue &dict, const std::string &key);

class RestrictedUnpickler
{
  public:
    /// `data` is the pickle (data.pkl of `archive`, whose data/ records hold the tensor storages).
    /// Errors are ood::Error "<label> <file> cannot be read: <what> (at byte <n>)".
    RestrictedUnpickler(const uint8_t *data, size_t size, caffe2::serialize::PyTorchStreamReader &archive,
                        std::string file, std::string label = "checkpoint");
    ~RestrictedUnpickler();
    RestrictedUnpickler(const RestrictedUnpickler &) = delete;
    RestrictedUnpickler &operator=(const RestrictedUnpickler &) = delete;

    /// Interprets the whole pickle and returns its value, which is only valid while the unpickler
    /// lives. Throws ood::Error on anything it does not know or that does not add up.
    PickleValuePtr run();

  private:
    PickleValuePtr make(PickleValue::Kind kind);
    [[noreturn]] void fail(const std::string &what) const;
    const uint8_t *take(size_t n);
    uint8_t byte();
    uint64_t littleEndian(int n);
    std::string line();
    void push(PickleValuePtr v);
    PickleValuePtr pop();
    PickleValuePtr top();
    std::vector<PickleValuePtr> popToMark();
    PickleValuePtr container(PickleValue::Kind kind);
    void pushInt(int64_t i);
    void pushLong(size_t n);
    void pushString(size_t n, PickleValue::Kind kind);
    void memoize(size_t index);
    PickleValuePtr memo(size_t index);
    PickleValuePtr global(const std::string &module, const std::string &name);
    PickleValuePtr persistentLoad(const PickleValuePtr &pid);
    PickleValuePtr rebuildTensor(const PickleValuePtr &args);
    PickleValuePtr reduce(const PickleValuePtr &callable, const PickleValuePtr &args);
    PickleValuePtr newObject(const PickleValuePtr &cls);

    const uint8_t *m_data;
    size_t m_size;
    size_t m_pos = 0;
    caffe2::serialize::PyTorchStreamReader &m_archive;
    std::string m_file;
    std::string m_label;
    std::vector<PickleValuePtr> m_stack;
    std::unordered_map<size_t, PickleValuePtr> m_memo;
    std::map<std::string, PickleValuePtr> m_storages;
    std::vector<PickleValuePtr> m_all;
};

/// checkTorchZip (io/torchzip.h), then reads data.pkl completely with the restricted unpickler
/// (bounds checked, executes nothing): LibTorch's own unpickler (used for profiles) trusts
/// lengths and indices from the file, and asserts on pickles it does not expect. Returns the
/// string under the key "format" when the pickle is a dict that has one, else "". Throws
/// ood::Error starting with `label`.
std::string checkTorchPickle(const std::string &path, const std::string &label);

} // namespace ood

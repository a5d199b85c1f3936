#include "model/checkpointreader.h"

#include "error.h"

#include <QFile>
#include <QFileInfo>

#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/versions.h>
#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>

namespace ood {

namespace {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

/// What the restricted unpickler builds. Everything that is not plain data or a tensor is an
/// Object: a class name and the state BUILD gave it.
struct Value
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
    std::string text;                                   ///< String, Bytes; Global/Object: "module.name"
    std::vector<ValuePtr> items;                        ///< Tuple, List
    std::vector<std::pair<ValuePtr, ValuePtr>> entries; ///< Dict
    at::Tensor tensor;                                  ///< Tensor; Storage: the flat storage
    ValuePtr state;                                     ///< Object

    static ValuePtr make(Kind k)
    {
        auto v = std::make_shared<Value>();
        v->kind = k;
        return v;
    }
};

const std::map<std::string, c10::ScalarType> &storageTypes()
{
    static const std::map<std::string, c10::ScalarType> types = {
        {"FloatStorage", torch::kFloat32}, {"DoubleStorage", torch::kFloat64},
        {"HalfStorage", torch::kFloat16},  {"BFloat16Storage", torch::kBFloat16},
        {"LongStorage", torch::kInt64},    {"IntStorage", torch::kInt32},
        {"ShortStorage", torch::kInt16},   {"CharStorage", torch::kInt8},
        {"ByteStorage", torch::kUInt8},    {"BoolStorage", torch::kBool},
        {"UntypedStorage", torch::kUInt8},
    };
    return types;
}

class Unpickler
{
  public:
    Unpickler(const uint8_t *data, size_t size, caffe2::serialize::PyTorchStreamReader &archive,
              std::string file, std::string label = "checkpoint")
        : m_data(data), m_size(size), m_archive(archive), m_file(std::move(file)), m_label(std::move(label))
    {
    }

    ValuePtr run()
    {
        while (true) {
            const uint8_t op = byte();
            switch (op) {
            case 0x80:
                byte();
                break; // PROTO
            case 0x95:
                take(8);
                break; // FRAME
            case '.':
                return pop(); // STOP
            case 'N':
                push(make(Value::Kind::None));
                break;
            case 0x88:
            case 0x89: {
                auto v = make(Value::Kind::Bool);
                v->boolean = op == 0x88;
                push(v);
                break;
            }
            case 'J':
                pushInt(static_cast<int32_t>(littleEndian(4)));
                break;
            case 'K':
                pushInt(static_cast<int64_t>(byte()));
                break;
            case 'M':
                pushInt(static_cast<int64_t>(littleEndian(2)));
                break;
            case 0x8a:
                pushLong(byte());
                break; // LONG1
            case 0x8b:
                pushLong(static_cast<size_t>(littleEndian(4)));
                break;  // LONG4
            case 'G': { // BINFLOAT, big-endian
                const uint8_t *p = take(8);
                uint64_t bits = 0;
                for (int i = 0; i < 8; ++i)
                    bits = (bits << 8) | p[i];
                auto v = make(Value::Kind::Float);
                std::memcpy(&v->real, &bits, 8);
                push(v);
                break;
            }
            case 'X':
                pushString(static_cast<size_t>(littleEndian(4)), Value::Kind::String);
                break;
            case 0x8c:
                pushString(byte(), Value::Kind::String);
                break;
            case 0x8d:
                pushString(static_cast<size_t>(littleEndian(8)), Value::Kind::String);
                break;
            case 'B':
                pushString(static_cast<size_t>(littleEndian(4)), Value::Kind::Bytes);
                break;
            case 'C':
                pushString(byte(), Value::Kind::Bytes);
                break;
            case '}':
                push(make(Value::Kind::Dict));
                break;
            case ']':
                push(make(Value::Kind::List));
                break;
            case ')':
                push(make(Value::Kind::Tuple));
                break;
            case '(':
                push(make(Value::Kind::Mark));
                break;
            case 't': {
                auto t = make(Value::Kind::Tuple);
                t->items = popToMark();
                push(t);
                break;
            }
            case 0x85:
            case 0x86:
            case 0x87: { // TUPLE1..3
                auto t = make(Value::Kind::Tuple);
                t->items.resize(op - 0x84);
                for (size_t i = t->items.size(); i-- > 0;)
                    t->items[i] = pop();
                push(t);
                break;
            }
            case 's': {
                auto v = pop();
                auto k = pop();
                container(Value::Kind::Dict)->entries.emplace_back(k, v);
                break;
            }
            case 'u': {
                auto items = popToMark();
                if (items.size() % 2)
                    fail("SETITEMS with an odd number of items");
                auto d = container(Value::Kind::Dict);
                for (size_t i = 0; i < items.size(); i += 2)
                    d->entries.emplace_back(items[i], items[i + 1]);
                break;
            }
            case 'a': {
                auto v = pop();
                container(Value::Kind::List)->items.push_back(v);
                break;
            }
            case 'e': {
                auto items = popToMark();
                auto l = container(Value::Kind::List);
                l->items.insert(l->items.end(), items.begin(), items.end());
                break;
            }
            case 'q':
                memoize(byte());
                break;
            case 'r':
                memoize(static_cast<size_t>(littleEndian(4)));
                break;
            case 0x94:
                memoize(m_memo.size());
                break; // MEMOIZE
            case 'h':
                push(memo(byte()));
                break;
            case 'j':
                push(memo(static_cast<size_t>(littleEndian(4))));
                break;
            case '0':
                pop();
                break; // POP
            case '1':
                popToMark();
                break; // POP_MARK
            case '2':
                push(top());
                break;  // DUP
            case 'c': { // GLOBAL "module\nname\n"
                const std::string module = line(), name = line();
                push(global(module, name));
                break;
            }
            case 0x93: { // STACK_GLOBAL
                auto name = pop(), module = pop();
                if (name->kind != Value::Kind::String || module->kind != Value::Kind::String)
                    fail("STACK_GLOBAL without strings");
                push(global(module->text, name->text));
                break;
            }
            case 'Q':
                push(persistentLoad(pop()));
                break; // BINPERSID
            case 'R': {
                auto args = pop();
                auto callable = pop();
                push(reduce(callable, args));
                break;
            }
            case 0x81: {
                auto args = pop();
                auto cls = pop();
                push(newObject(cls));
                break;
            } // NEWOBJ
            case 0x92: {
                pop();
                auto args = pop();
                auto cls = pop();
                push(newObject(cls));
                break;
            }           // NEWOBJ_EX
            case 'b': { // BUILD
                auto state = pop();
                auto target = top();
                if (target->kind == Value::Kind::Object)
                    target->state = state;
                break; // state of dicts (OrderedDict._metadata) and tensors is not needed
            }
            case 0x8f:
                push(make(Value::Kind::List));
                break; // EMPTY_SET, kept as a list
            case 0x90: {
                auto items = popToMark();
                auto l = container(Value::Kind::List);
                l->items.insert(l->items.end(), items.begin(), items.end());
                break;
            }
            default: {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", op);
                fail(std::string("unsupported pickle opcode ") + hex);
            }
            }
        }
    }

    // Values can refer to themselves (a list appended to itself through DUP or the memo), which
    // shared_ptr alone never frees: every value made here is emptied at the end (a leak found by
    // fuzz_profile_load). The result of run() is only valid while the unpickler lives.
    ~Unpickler()
    {
        for (const ValuePtr &v : m_all) {
            v->items.clear();
            v->entries.clear();
            v->state.reset();
        }
    }
    Unpickler(const Unpickler &) = delete;
    Unpickler &operator=(const Unpickler &) = delete;

  private:
    ValuePtr make(Value::Kind kind)
    {
        ValuePtr v = Value::make(kind);
        m_all.push_back(v);
        return v;
    }
    [[noreturn]] void fail(const std::string &what) const
    {
        throw Error(m_label + " " + m_file + " cannot be read: " + what + " (at byte " +
                    std::to_string(m_pos) + ")");
    }
    const uint8_t *take(size_t n)
    {
        if (n > m_size - m_pos)
            fail("data.pkl ends early (truncated or corrupt file)");
        const uint8_t *p = m_data + m_pos;
        m_pos += n;
        return p;
    }
    uint8_t byte() { return *take(1); }
    uint64_t littleEndian(int n)
    {
        const uint8_t *p = take(static_cast<size_t>(n));
        uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i)
            v = (v << 8) | p[i];
        return v;
    }
    std::string line()
    {
        std::string s;
        while (true) {
            const char c = static_cast<char>(byte());
            if (c == '\n')
                return s;
            if (s.size() > 4096)
                fail("overlong GLOBAL name");
            s.push_back(c);
        }
    }
    void push(ValuePtr v)
    {
        if (m_stack.size() > 1000000)
            fail("pickle stack too deep");
        m_stack.push_back(std::move(v));
    }
    ValuePtr pop()
    {
        if (m_stack.empty() || m_stack.back()->kind == Value::Kind::Mark)
            fail("pickle stack underflow");
        ValuePtr v = std::move(m_stack.back());
        m_stack.pop_back();
        return v;
    }
    ValuePtr top()
    {
        if (m_stack.empty())
            fail("pickle stack underflow");
        return m_stack.back();
    }
    std::vector<ValuePtr> popToMark()
    {
        for (size_t i = m_stack.size(); i-- > 0;) {
            if (m_stack[i]->kind == Value::Kind::Mark) {
                std::vector<ValuePtr> items(m_stack.begin() + static_cast<long>(i) + 1, m_stack.end());
                m_stack.resize(i);
                return items;
            }
        }
        fail("no MARK on the pickle stack");
    }
    ValuePtr container(Value::Kind kind)
    {
        ValuePtr c = top();
        if (c->kind != kind)
            fail("item added to something that is not a container");
        return c;
    }
    void pushInt(int64_t i)
    {
        auto v = make(Value::Kind::Int);
        v->integer = i;
        push(v);
    }
    void pushLong(size_t n)
    {
        if (n > 8)
            fail("integer too large");
        const uint8_t *p = take(n);
        uint64_t v = 0;
        for (size_t i = n; i-- > 0;)
            v = (v << 8) | p[i];
        if (n > 0 && n < 8 && (p[n - 1] & 0x80))
            v |= ~uint64_t(0) << (8 * n); // sign-extend
        pushInt(static_cast<int64_t>(v));
    }
    void pushString(size_t n, Value::Kind kind)
    {
        auto v = make(kind);
        const uint8_t *p = take(n);
        v->text.assign(reinterpret_cast<const char *>(p), n);
        push(v);
    }
    void memoize(size_t index)
    {
        if (index > m_memo.size() + 1000000)
            fail("bad memo index");
        m_memo[index] = top();
    }
    ValuePtr memo(size_t index)
    {
        const auto it = m_memo.find(index);
        if (it == m_memo.end())
            fail("reference to an unknown memo entry");
        return it->second;
    }
    ValuePtr global(const std::string &module, const std::string &name)
    {
        auto g = make(Value::Kind::Global);
        g->text = module + "." + name;
        return g;
    }

    ValuePtr persistentLoad(const ValuePtr &pid)
    {
        // ('storage', <storage class>, key, location, numel)
        if (pid->kind != Value::Kind::Tuple || pid->items.size() < 5 ||
            pid->items[0]->kind != Value::Kind::String || pid->items[0]->text != "storage" ||
            pid->items[1]->kind != Value::Kind::Global || pid->items[2]->kind != Value::Kind::String ||
            pid->items[4]->kind != Value::Kind::Int)
            fail("unsupported persistent id");
        const std::string &cls = pid->items[1]->text;
        const std::string shortName = cls.substr(cls.rfind('.') + 1);
        const auto type = storageTypes().find(shortName);
        if (type == storageTypes().end() || cls.rfind("torch.", 0) != 0)
            fail("unsupported storage type " + cls);
        const std::string &key = pid->items[2]->text;
        const auto cached = m_storages.find(key);
        if (cached != m_storages.end())
            return cached->second;
        const int64_t numel = pid->items[4]->integer;
        const size_t itemSize = c10::elementSize(type->second);
        const std::string record = "data/" + key;
        if (numel < 0 || !m_archive.hasRecord(record))
            fail("storage record " + record + " is missing");
        auto [bytes, size] = m_archive.getRecord(record);
        if (static_cast<uint64_t>(numel) > size / itemSize) // divides: numel comes from the file
            fail("storage record " + record + " is shorter than its " + std::to_string(numel) + " elements");
        auto storage = make(Value::Kind::Storage);
        storage->tensor = torch::empty({numel}, torch::TensorOptions().dtype(type->second));
        if (numel > 0)
            std::memcpy(storage->tensor.data_ptr(), bytes.get(), static_cast<size_t>(numel) * itemSize);
        m_storages[key] = storage;
        return storage;
    }

    static std::vector<int64_t> ints(const ValuePtr &v, bool &ok)
    {
        std::vector<int64_t> out;
        ok = v->kind == Value::Kind::Tuple || v->kind == Value::Kind::List;
        if (ok)
            for (const auto &item : v->items) {
                if (item->kind != Value::Kind::Int) {
                    ok = false;
                    break;
                }
                out.push_back(item->integer);
            }
        return out;
    }

    ValuePtr rebuildTensor(const ValuePtr &args)
    {
        if (args->items.size() < 4 || args->items[0]->kind != Value::Kind::Storage ||
            args->items[1]->kind != Value::Kind::Int)
            fail("malformed tensor record");
        const at::Tensor &storage = args->items[0]->tensor;
        const int64_t offset = args->items[1]->integer;
        bool okSize = false, okStride = false;
        const std::vector<int64_t> size = ints(args->items[2], okSize),
                                   stride = ints(args->items[3], okStride);
        if (!okSize || !okStride || size.size() != stride.size() || size.size() > 16)
            fail("malformed tensor shape");
        // Every value comes from the file: bounded before any product can overflow, and the
        // element count is limited so that stride-0 shapes cannot ask for terabytes.
        const int64_t stored = storage.numel();
        bool empty = false;
        for (size_t i = 0; i < size.size(); ++i) {
            if (size[i] < 0 || stride[i] < 0 || size[i] > (int64_t(1) << 40) ||
                stride[i] > (int64_t(1) << 40))
                fail("implausible tensor shape");
            empty = empty || size[i] == 0;
        }
        if (offset < 0 || offset > stored)
            fail("tensor lies outside its storage");
        if (!empty) {
            int64_t last = offset, elements = 1;
            for (size_t i = 0; i < size.size(); ++i) {
                if (stride[i] > 0 && size[i] - 1 > (stored - 1 - last) / stride[i])
                    fail("tensor lies outside its storage");
                last += (size[i] - 1) * stride[i];
                if (size[i] > std::max<int64_t>(stored, int64_t(1) << 24) / elements)
                    fail("tensor has more elements than its storage can hold");
                elements *= size[i];
            }
            if (last >= stored)
                fail("tensor lies outside its storage");
        }
        auto t = make(Value::Kind::Tensor);
        t->tensor =
            empty ? torch::empty(size, storage.options()) : storage.as_strided(size, stride, offset).clone();
        return t;
    }

    ValuePtr reduce(const ValuePtr &callable, const ValuePtr &args)
    {
        if (callable->kind != Value::Kind::Global || args->kind != Value::Kind::Tuple)
            fail("REDUCE of something that is not a known callable");
        const std::string &name = callable->text;
        if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
            return rebuildTensor(args);
        if (name == "torch._utils._rebuild_parameter" ||
            name == "torch._utils._rebuild_parameter_with_state") {
            if (args->items.empty() || args->items[0]->kind != Value::Kind::Tensor)
                fail("malformed parameter record");
            return args->items[0];
        }
        if (name == "collections.OrderedDict" || name == "builtins.dict") {
            auto d = make(Value::Kind::Dict);
            if (!args->items.empty() &&
                (args->items[0]->kind == Value::Kind::List || args->items[0]->kind == Value::Kind::Tuple))
                for (const auto &pair : args->items[0]->items)
                    if (pair->kind == Value::Kind::Tuple && pair->items.size() == 2)
                        d->entries.emplace_back(pair->items[0], pair->items[1]);
            return d;
        }
        // LibTorch's own pickler (torch::pickle_save) tags containers with their static type.
        if (name == "torch.jit._pickle.restore_type_tag" || name == "torch.jit._pickle.build_intlist" ||
            name == "torch.jit._pickle.build_doublelist" || name == "torch.jit._pickle.build_boollist" ||
            name == "torch.jit._pickle.build_tensorlist") {
            if (args->items.empty())
                fail("malformed " + name);
            return args->items[0];
        }
        if (name == "copyreg._reconstructor" && !args->items.empty() &&
            args->items[0]->kind == Value::Kind::Global)
            return newObject(args->items[0]);
        // Any other callable (torch.device, torch.Size, ...) is recorded, never called.
        auto object = make(Value::Kind::Object);
        object->text = name;
        object->state = args;
        return object;
    }

    ValuePtr newObject(const ValuePtr &cls)
    {
        auto object = make(Value::Kind::Object);
        object->text = cls->kind == Value::Kind::Global ? cls->text : std::string("?");
        return object;
    }

    const uint8_t *m_data;
    size_t m_size;
    size_t m_pos = 0;
    caffe2::serialize::PyTorchStreamReader &m_archive;
    std::string m_file;
    std::string m_label;
    std::vector<ValuePtr> m_stack;
    std::unordered_map<size_t, ValuePtr> m_memo;
    std::map<std::string, ValuePtr> m_storages;
    std::vector<ValuePtr> m_all;
};

const Value *dictGet(const Value &dict, const std::string &key)
{
    if (dict.kind != Value::Kind::Dict)
        return nullptr;
    for (const auto &[k, v] : dict.entries)
        if (k->kind == Value::Kind::String && k->text == key)
            return v.get();
    return nullptr;
}

void collectModule(const Value &module, const std::string &prefix, NamedTensors &out, int depth)
{
    if (depth > 200 || module.kind != Value::Kind::Object || !module.state)
        return;
    const Value &state = *module.state;
    for (const char *group : {"_parameters", "_buffers"}) {
        if (const Value *entries = dictGet(state, group))
            for (const auto &[k, v] : entries->entries)
                if (k->kind == Value::Kind::String && v->kind == Value::Kind::Tensor)
                    out.emplace_back(prefix + k->text, v->tensor);
    }
    if (const Value *children = dictGet(state, "_modules"))
        for (const auto &[k, v] : children->entries)
            if (k->kind == Value::Kind::String)
                collectModule(*v, prefix + k->text + ".", out, depth + 1);
}

bool looksLikeModule(const Value &v)
{
    return v.kind == Value::Kind::Object && v.state && dictGet(*v.state, "_modules");
}

NamedTensors collect(const Value &root)
{
    NamedTensors out;
    if (looksLikeModule(root)) {
        collectModule(root, "", out, 0);
        return out;
    }
    if (root.kind != Value::Kind::Dict)
        return out;
    for (const char *wrapper : {"state_dict", "model_state_dict", "model", "net"}) {
        if (const Value *inner = dictGet(root, wrapper)) {
            NamedTensors nested = collect(*inner);
            if (!nested.empty())
                return nested;
        }
    }
    for (const auto &[k, v] : root.entries)
        if (k->kind == Value::Kind::String && v->kind == Value::Kind::Tensor)
            out.emplace_back(k->text, v->tensor);
    return out;
}

/// Little-endian fields of a zip file, read at absolute offsets; false past the end.
class ZipFile
{
  public:
    explicit ZipFile(QFile &file) : m_file(file) {}
    bool read(qint64 offset, qint64 count, QByteArray &out)
    {
        if (offset < 0 || count < 0 || offset > m_file.size() || count > m_file.size() - offset ||
            !m_file.seek(offset))
            return false;
        out = m_file.read(count);
        return out.size() == count;
    }
    static uint64_t field(const QByteArray &b, int offset, int bytes)
    {
        uint64_t v = 0;
        for (int i = bytes - 1; i >= 0; --i)
            v = (v << 8) | static_cast<uint8_t>(b.at(offset + i));
        return v;
    }

  private:
    QFile &m_file;
};

/// The zip facts PyTorchStreamReader's constructor insists on (a readable zip directory, at
/// least one entry, entries in one top folder, a version record holding a supported number),
/// checked on our side first: when LibTorch 1.13 finds them wrong it throws from its constructor
/// and leaks the opened zip state (150 to 1000 bytes each time; found by fuzz_checkpoint_load).
void precheckZip(const std::string &path, const std::string &label)
{
    const auto damaged = [&] {
        return Error(label + " " + path + " is damaged (its zip directory cannot be read)");
    };
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        throw Error(label + " " + path + " cannot be read: " + file.errorString().toStdString());
    ZipFile zip(file);
    const qint64 size = file.size();
    // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the very end.
    const qint64 tailSize = std::min<qint64>(size, 22 + 65535);
    QByteArray tail;
    if (!zip.read(size - tailSize, tailSize, tail))
        throw Error(label + " " + path + " cannot be read");
    const int end = tail.lastIndexOf(QByteArray("PK\x05\x06", 4));
    if (end < 0 || end + 22 > tail.size())
        throw Error(label + " " + path + " is truncated or not a zip archive (no zip directory at its end)");
    uint64_t entries = ZipFile::field(tail, end + 10, 2);
    uint64_t directorySize = ZipFile::field(tail, end + 12, 4);
    uint64_t directory = ZipFile::field(tail, end + 16, 4);
    // ZIP64 (PyTorch always writes it): a locator just before the end record points at the
    // record whose values count, as miniz (LibTorch's zip reader) takes them whenever it is there.
    QByteArray locator, record;
    const qint64 locatorAt = size - tailSize + end - 20;
    if (locatorAt >= 56 && zip.read(locatorAt, 20, locator) &&
        locator.startsWith(QByteArray("PK\x06\x07", 4))) {
        const uint64_t recordAt = ZipFile::field(locator, 8, 8);
        if (recordAt > static_cast<uint64_t>(size - 56))
            throw damaged();
        if (zip.read(static_cast<qint64>(recordAt), 56, record) &&
            record.startsWith(QByteArray("PK\x06\x06", 4))) {
            entries = ZipFile::field(record, 32, 8);
            directorySize = ZipFile::field(record, 40, 8);
            directory = ZipFile::field(record, 48, 8);
        }
    }
    if (entries == 0)
        throw Error(label + " " + path + " is an empty zip archive, not a PyTorch file");
    QByteArray central;
    if (directorySize > static_cast<uint64_t>(size) || directory > static_cast<uint64_t>(size) ||
        !zip.read(static_cast<qint64>(directory), static_cast<qint64>(directorySize), central))
        throw damaged();
    std::string archive;
    bool versionFound = false;
    int position = 0;
    for (uint64_t e = 0; e < entries; ++e) {
        if (position + 46 > central.size() ||
            !central.mid(position, 4).startsWith(QByteArray("PK\x01\x02", 4)))
            throw damaged();
        const int nameLength = static_cast<int>(ZipFile::field(central, position + 28, 2));
        const int skip = nameLength + static_cast<int>(ZipFile::field(central, position + 30, 2)) +
                         static_cast<int>(ZipFile::field(central, position + 32, 2));
        if (position + 46 + skip > central.size())
            throw damaged();
        const std::string name = central.mid(position + 46, nameLength).toStdString();
        if (e == 0) {
            const size_t slash = name.find('/');
            if (slash == std::string::npos)
                throw Error(label + " " + path +
                            " is a zip archive but not a PyTorch file (its entries are not in "
                            "one folder)");
            archive = name.substr(0, slash + 1);
        }
        if (name == archive + "version" || name == archive + ".data/version") {
            versionFound = true;
            // Read as LibTorch will: stored (PyTorch's own files) or deflated (re-zipped by a tool),
            // the only two methods its zip reader knows.
            const uint64_t method = ZipFile::field(central, position + 10, 2);
            const uint64_t packed = ZipFile::field(central, position + 20, 4);
            const uint64_t length = ZipFile::field(central, position + 24, 4);
            QByteArray local, data, text;
            const auto localAt = static_cast<qint64>(ZipFile::field(central, position + 42, 4));
            // miniz refuses encrypted and patch data, and reads an entry whose DOS attributes say
            // "directory" as empty (fuzz_checkpoint_load, fuzz_profile_load).
            const uint64_t flags = ZipFile::field(central, position + 8, 2);
            const uint64_t attributes = ZipFile::field(central, position + 38, 4);
            if ((flags & (0x1 | 0x20 | 0x40 | 0x2000)) || (attributes & 0x10) ||
                (method != 0 && method != 8) || length > 64 || packed > 4096 ||
                !zip.read(localAt, 30, local) || !local.startsWith(QByteArray("PK\x03\x04", 4)) ||
                !zip.read(
                    localAt + 30 +
                        static_cast<qint64>(ZipFile::field(local, 26, 2) + ZipFile::field(local, 28, 2)),
                    static_cast<qint64>(packed), data))
                throw Error(label + " " + path + " is damaged (its version record cannot be read)");
            if (method == 0) {
                text = data;
            } else {
                text.resize(static_cast<qsizetype>(length));
                z_stream stream{};
                stream.next_in = reinterpret_cast<Bytef *>(data.data());
                stream.avail_in = static_cast<uInt>(data.size());
                stream.next_out = reinterpret_cast<Bytef *>(text.data());
                stream.avail_out = static_cast<uInt>(text.size());
                const bool inflated = inflateInit2(&stream, -MAX_WBITS) == Z_OK &&
                                      inflate(&stream, Z_FINISH) == Z_STREAM_END &&
                                      stream.total_out == length;
                inflateEnd(&stream);
                if (!inflated)
                    throw Error(label + " " + path + " is damaged (its version record cannot be read)");
            }
            if (text.size() != static_cast<qsizetype>(length) ||
                crc32(0, reinterpret_cast<const Bytef *>(text.constData()), static_cast<uInt>(text.size())) !=
                    ZipFile::field(central, position + 16, 4))
                throw Error(label + " " + path + " is damaged (its version record cannot be read)");
            {
                bool ok = false;
                const qulonglong version = text.trimmed().toULongLong(&ok);
                if (!ok || version < caffe2::serialize::kMinSupportedFileFormatVersion ||
                    version > caffe2::serialize::kMaxSupportedFileFormatVersion)
                    throw Error(label + " " + path +
                                " is damaged or from an unsupported PyTorch version (archive "
                                "format version '" +
                                text.trimmed().left(20).toStdString() + "')");
            }
        }
        position += 46 + skip;
    }
    if (!versionFound)
        throw Error(label + " " + path + " is a zip archive but not a PyTorch file (no version record)");
}

/// Runs `body` on the opened archive, turning LibTorch's own exceptions into ood::Error.
template <typename Body> void withArchive(const std::string &path, const std::string &label, Body body)
{
    precheckZip(path, label);
    try {
        caffe2::serialize::PyTorchStreamReader archive(path);
        body(archive);
    } catch (const Error &) {
        throw;
    } catch (const c10::Error &e) {
        throw Error(label + " " + path + " is damaged or not a PyTorch file: " + e.what_without_backtrace());
    } catch (const std::exception &e) { // LibTorch's reader also lets std::stoull's errors out
        throw Error(label + " " + path + " is damaged or not a PyTorch file: " + e.what());
    }
}

} // namespace

void checkTorchZip(const std::string &path, const std::string &label)
{
    precheckZip(path, label);
}

std::string checkTorchPickle(const std::string &path, const std::string &label)
{
    std::string format;
    withArchive(path, label, [&](caffe2::serialize::PyTorchStreamReader &archive) {
        if (!archive.hasRecord("data.pkl"))
            throw Error(label + " " + path + " has no data.pkl: not a torch.save file");
        auto [pickle, size] = archive.getRecord("data.pkl");
        Unpickler unpickler(static_cast<const uint8_t *>(pickle.get()), size, archive, path, label);
        const ValuePtr root = unpickler.run();
        if (const Value *entry = dictGet(*root, "format"); entry && entry->kind == Value::Kind::String)
            format = entry->text;
    });
    return format;
}

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
    withArchive(path, "checkpoint", [&](caffe2::serialize::PyTorchStreamReader &archive) {
        if (archive.hasRecord("constants.pkl") || archive.hasRecord("code/__torch__.py"))
            throw Error(path + " is a TorchScript file: use --arch torchscript");
        if (!archive.hasRecord("data.pkl"))
            throw Error("checkpoint " + path + " has no data.pkl: not a torch.save file");
        auto [pickle, size] = archive.getRecord("data.pkl");
        Unpickler unpickler(static_cast<const uint8_t *>(pickle.get()), size, archive, path);
        const ValuePtr root = unpickler.run();
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

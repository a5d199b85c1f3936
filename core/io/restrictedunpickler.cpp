#include "io/restrictedunpickler.h"

#include "base/error.h"
#include "io/torchzip.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ood {

namespace {

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

std::vector<int64_t> ints(const PickleValuePtr &v, bool &ok)
{
    std::vector<int64_t> out;
    ok = v->kind == PickleValue::Kind::Tuple || v->kind == PickleValue::Kind::List;
    if (ok)
        for (const auto &item : v->items) {
            if (item->kind != PickleValue::Kind::Int) {
                ok = false;
                break;
            }
            out.push_back(item->integer);
        }
    return out;
}

} // namespace

RestrictedUnpickler::RestrictedUnpickler(const uint8_t *data, size_t size,
                                         caffe2::serialize::PyTorchStreamReader &archive, std::string file,
                                         std::string label)
    : m_data(data), m_size(size), m_archive(archive), m_file(std::move(file)), m_label(std::move(label))
{
}

PickleValuePtr RestrictedUnpickler::run()
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
            push(make(PickleValue::Kind::None));
            break;
        case 0x88:
        case 0x89: {
            auto v = make(PickleValue::Kind::Bool);
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
            auto v = make(PickleValue::Kind::Float);
            std::memcpy(&v->real, &bits, 8);
            push(v);
            break;
        }
        case 'X':
            pushString(static_cast<size_t>(littleEndian(4)), PickleValue::Kind::String);
            break;
        case 0x8c:
            pushString(byte(), PickleValue::Kind::String);
            break;
        case 0x8d:
            pushString(static_cast<size_t>(littleEndian(8)), PickleValue::Kind::String);
            break;
        case 'B':
            pushString(static_cast<size_t>(littleEndian(4)), PickleValue::Kind::Bytes);
            break;
        case 'C':
            pushString(byte(), PickleValue::Kind::Bytes);
            break;
        case '}':
            push(make(PickleValue::Kind::Dict));
            break;
        case ']':
            push(make(PickleValue::Kind::List));
            break;
        case ')':
            push(make(PickleValue::Kind::Tuple));
            break;
        case '(':
            push(make(PickleValue::Kind::Mark));
            break;
        case 't': {
            auto t = make(PickleValue::Kind::Tuple);
            t->items = popToMark();
            push(t);
            break;
        }
        case 0x85:
        case 0x86:
        case 0x87: { // TUPLE1..3
            auto t = make(PickleValue::Kind::Tuple);
            t->items.resize(op - 0x84);
            for (size_t i = t->items.size(); i-- > 0;)
                t->items[i] = pop();
            push(t);
            break;
        }
        case 's': {
            auto v = pop();
            auto k = pop();
            container(PickleValue::Kind::Dict)->entries.emplace_back(k, v);
            break;
        }
        case 'u': {
            auto items = popToMark();
            if (items.size() % 2)
                fail("SETITEMS with an odd number of items");
            auto d = container(PickleValue::Kind::Dict);
            for (size_t i = 0; i < items.size(); i += 2)
                d->entries.emplace_back(items[i], items[i + 1]);
            break;
        }
        case 'a': {
            auto v = pop();
            container(PickleValue::Kind::List)->items.push_back(v);
            break;
        }
        case 'e': {
            auto items = popToMark();
            auto l = container(PickleValue::Kind::List);
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
            if (name->kind != PickleValue::Kind::String || module->kind != PickleValue::Kind::String)
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
            if (target->kind == PickleValue::Kind::Object)
                target->state = state;
            break; // state of dicts (OrderedDict._metadata) and tensors is not needed
        }
        case 0x8f:
            push(make(PickleValue::Kind::List));
            break; // EMPTY_SET, kept as a list
        case 0x90: {
            auto items = popToMark();
            auto l = container(PickleValue::Kind::List);
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
RestrictedUnpickler::~RestrictedUnpickler()
{
    for (const PickleValuePtr &v : m_all) {
        v->items.clear();
        v->entries.clear();
        v->state.reset();
    }
}

PickleValuePtr RestrictedUnpickler::make(PickleValue::Kind kind)
{
    PickleValuePtr v = PickleValue::make(kind);
    m_all.push_back(v);
    return v;
}

[[noreturn]] void RestrictedUnpickler::fail(const std::string &what) const
{
    throw Error(m_label + " " + m_file + " cannot be read: " + what + " (at byte " + std::to_string(m_pos) +
                ")");
}

const uint8_t *RestrictedUnpickler::take(size_t n)
{
    if (n > m_size - m_pos)
        fail("data.pkl ends early (truncated or corrupt file)");
    const uint8_t *p = m_data + m_pos;
    m_pos += n;
    return p;
}

uint8_t RestrictedUnpickler::byte()
{
    return *take(1);
}

uint64_t RestrictedUnpickler::littleEndian(int n)
{
    const uint8_t *p = take(static_cast<size_t>(n));
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

std::string RestrictedUnpickler::line()
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

void RestrictedUnpickler::push(PickleValuePtr v)
{
    if (m_stack.size() > 1000000)
        fail("pickle stack too deep");
    m_stack.push_back(std::move(v));
}

PickleValuePtr RestrictedUnpickler::pop()
{
    if (m_stack.empty() || m_stack.back()->kind == PickleValue::Kind::Mark)
        fail("pickle stack underflow");
    PickleValuePtr v = std::move(m_stack.back());
    m_stack.pop_back();
    return v;
}

PickleValuePtr RestrictedUnpickler::top()
{
    if (m_stack.empty())
        fail("pickle stack underflow");
    return m_stack.back();
}

std::vector<PickleValuePtr> RestrictedUnpickler::popToMark()
{
    for (size_t i = m_stack.size(); i-- > 0;) {
        if (m_stack[i]->kind == PickleValue::Kind::Mark) {
            std::vector<PickleValuePtr> items(m_stack.begin() + static_cast<long>(i) + 1, m_stack.end());
            m_stack.resize(i);
            return items;
        }
    }
    fail("no MARK on the pickle stack");
}

PickleValuePtr RestrictedUnpickler::container(PickleValue::Kind kind)
{
    PickleValuePtr c = top();
    if (c->kind != kind)
        fail("item added to something that is not a container");
    return c;
}

void RestrictedUnpickler::pushInt(int64_t i)
{
    auto v = make(PickleValue::Kind::Int);
    v->integer = i;
    push(v);
}

void RestrictedUnpickler::pushLong(size_t n)
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

void RestrictedUnpickler::pushString(size_t n, PickleValue::Kind kind)
{
    auto v = make(kind);
    const uint8_t *p = take(n);
    v->text.assign(reinterpret_cast<const char *>(p), n);
    push(v);
}

void RestrictedUnpickler::memoize(size_t index)
{
    if (index > m_memo.size() + 1000000)
        fail("bad memo index");
    m_memo[index] = top();
}

PickleValuePtr RestrictedUnpickler::memo(size_t index)
{
    const auto it = m_memo.find(index);
    if (it == m_memo.end())
        fail("reference to an unknown memo entry");
    return it->second;
}

PickleValuePtr RestrictedUnpickler::global(const std::string &module, const std::string &name)
{
    auto g = make(PickleValue::Kind::Global);
    g->text = module + "." + name;
    return g;
}

PickleValuePtr RestrictedUnpickler::persistentLoad(const PickleValuePtr &pid)
{
    // ('storage', <storage class>, key, location, numel)
    if (pid->kind != PickleValue::Kind::Tuple || pid->items.size() < 5 ||
        pid->items[0]->kind != PickleValue::Kind::String || pid->items[0]->text != "storage" ||
        pid->items[1]->kind != PickleValue::Kind::Global ||
        pid->items[2]->kind != PickleValue::Kind::String || pid->items[4]->kind != PickleValue::Kind::Int)
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
    auto storage = make(PickleValue::Kind::Storage);
    storage->tensor = torch::empty({numel}, torch::TensorOptions().dtype(type->second));
    if (numel > 0)
        std::memcpy(storage->tensor.data_ptr(), bytes.get(), static_cast<size_t>(numel) * itemSize);
    m_storages[key] = storage;
    return storage;
}

PickleValuePtr RestrictedUnpickler::rebuildTensor(const PickleValuePtr &args)
{
    if (args->items.size() < 4 || args->items[0]->kind != PickleValue::Kind::Storage ||
        args->items[1]->kind != PickleValue::Kind::Int)
        fail("malformed tensor record");
    const at::Tensor &storage = args->items[0]->tensor;
    const int64_t offset = args->items[1]->integer;
    bool okSize = false, okStride = false;
    const std::vector<int64_t> size = ints(args->items[2], okSize), stride = ints(args->items[3], okStride);
    if (!okSize || !okStride || size.size() != stride.size() || size.size() > 16)
        fail("malformed tensor shape");
    // Every value comes from the file: bounded before any product can overflow, and the
    // element count is limited so that stride-0 shapes cannot ask for terabytes.
    const int64_t stored = storage.numel();
    bool empty = false;
    for (size_t i = 0; i < size.size(); ++i) {
        if (size[i] < 0 || stride[i] < 0 || size[i] > (int64_t(1) << 40) || stride[i] > (int64_t(1) << 40))
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
    auto t = make(PickleValue::Kind::Tensor);
    t->tensor =
        empty ? torch::empty(size, storage.options()) : storage.as_strided(size, stride, offset).clone();
    return t;
}

PickleValuePtr RestrictedUnpickler::reduce(const PickleValuePtr &callable, const PickleValuePtr &args)
{
    if (callable->kind != PickleValue::Kind::Global || args->kind != PickleValue::Kind::Tuple)
        fail("REDUCE of something that is not a known callable");
    const std::string &name = callable->text;
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
        return rebuildTensor(args);
    if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
        if (args->items.empty() || args->items[0]->kind != PickleValue::Kind::Tensor)
            fail("malformed parameter record");
        return args->items[0];
    }
    if (name == "collections.OrderedDict" || name == "builtins.dict") {
        auto d = make(PickleValue::Kind::Dict);
        if (!args->items.empty() && (args->items[0]->kind == PickleValue::Kind::List ||
                                     args->items[0]->kind == PickleValue::Kind::Tuple))
            for (const auto &pair : args->items[0]->items)
                if (pair->kind == PickleValue::Kind::Tuple && pair->items.size() == 2)
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
        args->items[0]->kind == PickleValue::Kind::Global)
        return newObject(args->items[0]);
    // Any other callable (torch.device, torch.Size, ...) is recorded, never called.
    auto object = make(PickleValue::Kind::Object);
    object->text = name;
    object->state = args;
    return object;
}

PickleValuePtr RestrictedUnpickler::newObject(const PickleValuePtr &cls)
{
    auto object = make(PickleValue::Kind::Object);
    object->text = cls->kind == PickleValue::Kind::Global ? cls->text : std::string("?");
    return object;
}

const PickleValue *dictGet(const PickleValue &dict, const std::string &key)
{
    if (dict.kind != PickleValue::Kind::Dict)
        return nullptr;
    for (const auto &[k, v] : dict.entries)
        if (k->kind == PickleValue::Kind::String && k->text == key)
            return v.get();
    return nullptr;
}

std::string checkTorchPickle(const std::string &path, const std::string &label)
{
    std::string format;
    withTorchArchive(path, label, [&](caffe2::serialize::PyTorchStreamReader &archive) {
        if (!archive.hasRecord("data.pkl"))
            throw Error(label + " " + path + " has no data.pkl: not a torch.save file");
        auto [pickle, size] = archive.getRecord("data.pkl");
        RestrictedUnpickler unpickler(static_cast<const uint8_t *>(pickle.get()), size, archive, path, label);
        const PickleValuePtr root = unpickler.run();
        if (const PickleValue *entry = dictGet(*root, "format");
            entry && entry->kind == PickleValue::Kind::String)
            format = entry->text;
    });
    return format;
}

} // namespace ood

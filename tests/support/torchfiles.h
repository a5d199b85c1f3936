#pragma once
// torch.save files built byte by byte, without Python: the pickle opcodes Python's pickler
// writes for a state_dict (protocol 2, as torch.save uses) and the zip layout of torch.save, so
// that tests and fuzz seeds can make well-formed, damaged and hostile checkpoints exactly.

#include <QByteArray>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ood::test {

/// Appends pickle opcodes (protocol 2) to a byte string.
class PickleWriter
{
  public:
    PickleWriter &proto() { return op(0x80).byte(2); }
    PickleWriter &global(const std::string &module, const std::string &name);
    PickleWriter &string(const std::string &text); ///< BINUNICODE
    PickleWriter &integer(int64_t value);          ///< BININT or LONG1
    PickleWriter &boolean(bool value) { return op(value ? 0x88 : 0x89); }
    PickleWriter &mark() { return op('('); }
    PickleWriter &tuple() { return op('t'); } ///< everything since the last mark
    PickleWriter &emptyTuple() { return op(')'); }
    PickleWriter &emptyDict() { return op('}'); }
    PickleWriter &setItems() { return op('u'); }
    PickleWriter &reduce() { return op('R'); }
    PickleWriter &persistentId() { return op('Q'); } ///< BINPERSID
    PickleWriter &stop() { return op('.'); }
    /// One float32 tensor of `shape` (contiguous) over storage `key` of `numel` elements.
    PickleWriter &tensor(const std::string &key, int64_t numel, const std::vector<int64_t> &shape);
    const QByteArray &bytes() const { return m_bytes; }

  private:
    PickleWriter &op(uint8_t code) { return byte(code); }
    PickleWriter &byte(uint8_t value)
    {
        m_bytes.append(static_cast<char>(value));
        return *this;
    }
    QByteArray m_bytes;
};

struct FloatTensor
{
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values; ///< empty: 0, 1, 2, ... (as many as the shape holds)
};

/// data.pkl of `OrderedDict(name -> tensor)` as Python's torch.save writes a state_dict, with
/// storage keys "0", "1", ...
QByteArray stateDictPickle(const std::vector<FloatTensor> &tensors);

/// The bytes of a torch.save zip: `archive/data.pkl` = `pickle`, `archive/data/<key>` for each
/// storage, `archive/version`. Written by LibTorch's own zip writer.
QByteArray torchSaveZip(const QByteArray &pickle,
                        const std::vector<std::pair<std::string, QByteArray>> &storages);

/// torch.save(OrderedDict of `tensors`) as Python writes it.
QByteArray stateDictFile(const std::vector<FloatTensor> &tensors);

} // namespace ood::test

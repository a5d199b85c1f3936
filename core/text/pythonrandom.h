#pragma once
// Python's `random` module for the draws NegRefine makes (random.seed(int), random.choice): the
// Mersenne Twister MT19937 seeded through init_by_array with the seed's 32-bit words, and
// choice's rejection sampling with getrandbits. With the same seed and the same sequence of calls
// it picks what Python picks, so a mined vocabulary is reproducible against the Python reference.
// std::mt19937 cannot be used: its seeding (seed_seq) differs from init_by_array.

#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace ood {

class PythonRandom
{
  public:
    /// random.seed(seed) for a non-negative integer seed.
    explicit PythonRandom(uint64_t seed);

    /// random.getrandbits(k) for 0 < k <= 32.
    uint32_t getRandBits(int k);
    /// random._randbelow(n) for n > 0: the index random.choice(seq) uses for len(seq) == n.
    uint64_t randBelow(uint64_t n);
    /// random.random(): a double in [0, 1) from two 32-bit draws.
    double random();

    template <typename T> const T &choice(const std::vector<T> &sequence)
    {
        if (sequence.empty())
            throw std::invalid_argument("choice from an empty sequence");
        return sequence[static_cast<size_t>(randBelow(sequence.size()))];
    }

  private:
    uint32_t next32();
    void initGenrand(uint32_t seed);
    void initByArray(const std::vector<uint32_t> &key);

    std::array<uint32_t, 624> m_state{};
    int m_index = 625;
};

} // namespace ood

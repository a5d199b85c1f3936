#include "text/pythonrandom.h"

namespace ood {

namespace {
constexpr int kN = 624;
constexpr int kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfU;
constexpr uint32_t kUpperMask = 0x80000000U;
constexpr uint32_t kLowerMask = 0x7fffffffU;
} // namespace

PythonRandom::PythonRandom(uint64_t seed)
{
    // Python splits the seed's absolute value into 32-bit words, least significant first; zero
    // is the single word 0.
    std::vector<uint32_t> key;
    do {
        key.push_back(static_cast<uint32_t>(seed & 0xffffffffU));
        seed >>= 32;
    } while (seed != 0);
    initByArray(key);
}

void PythonRandom::initGenrand(uint32_t seed)
{
    m_state[0] = seed;
    for (int i = 1; i < kN; ++i)
        m_state[i] = 1812433253U * (m_state[i - 1] ^ (m_state[i - 1] >> 30)) + static_cast<uint32_t>(i);
    m_index = kN;
}

void PythonRandom::initByArray(const std::vector<uint32_t> &key)
{
    initGenrand(19650218U);
    int i = 1;
    size_t j = 0;
    const int length = static_cast<int>(key.size());
    for (int k = kN > length ? kN : length; k; --k) {
        m_state[i] = (m_state[i] ^ ((m_state[i - 1] ^ (m_state[i - 1] >> 30)) * 1664525U)) + key[j] +
                     static_cast<uint32_t>(j);
        ++i;
        ++j;
        if (i >= kN) {
            m_state[0] = m_state[kN - 1];
            i = 1;
        }
        if (j >= key.size())
            j = 0;
    }
    for (int k = kN - 1; k; --k) {
        m_state[i] = (m_state[i] ^ ((m_state[i - 1] ^ (m_state[i - 1] >> 30)) * 1566083941U)) -
                     static_cast<uint32_t>(i);
        ++i;
        if (i >= kN) {
            m_state[0] = m_state[kN - 1];
            i = 1;
        }
    }
    m_state[0] = 0x80000000U;
    m_index = kN;
}

uint32_t PythonRandom::next32()
{
    if (m_index >= kN) {
        for (int k = 0; k < kN; ++k) {
            const uint32_t y = (m_state[k] & kUpperMask) | (m_state[(k + 1) % kN] & kLowerMask);
            m_state[k] = m_state[(k + kM) % kN] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
        }
        m_index = 0;
    }
    uint32_t y = m_state[m_index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

uint32_t PythonRandom::getRandBits(int k)
{
    if (k <= 0 || k > 32)
        throw std::invalid_argument("getRandBits supports 1..32 bits");
    return next32() >> (32 - k);
}

uint64_t PythonRandom::randBelow(uint64_t n)
{
    if (n == 0)
        throw std::invalid_argument("randBelow(0)");
    int bits = 0;
    for (uint64_t v = n; v; v >>= 1)
        ++bits;
    if (bits > 32)
        throw std::invalid_argument("randBelow supports n < 2^32");
    uint64_t r = getRandBits(bits);
    while (r >= n)
        r = getRandBits(bits);
    return r;
}

double PythonRandom::random()
{
    const uint32_t a = next32() >> 5, b = next32() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

} // namespace ood

#include "text/cliptokenizer.h"

#include "base/error.h"

#include <QChar>
#include <QFileInfo>
#include <QString>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

namespace ood {

namespace {

constexpr int kByteSymbolCount = 256;
// The reference reads 49152 - 256 - 2 merges, which with the byte symbols twice (plain and word-final)
// and the two special tokens makes 49408 ids; the merges file holds many more lines than that.
constexpr int kMergeCount = 49152 - kByteSymbolCount - 2;
constexpr int64_t kVocabularySize = 2 * kByteSymbolCount + kMergeCount + 2;
static_assert(kVocabularySize == ClipTokenizer::kEndOfText + 1, "the special tokens close the vocabulary");
constexpr char32_t kReplacementCharacter = 0xFFFD;
// The reference caches every word it ever saw; a long-running program bounds it instead (clearing
// it only costs recomputation).
constexpr size_t kCacheLimit = size_t(1) << 17;
constexpr std::string_view kWordEnd = "</w>";
constexpr std::string_view kStartOfTextText = "<|startoftext|>";
constexpr std::string_view kEndOfTextText = "<|endoftext|>";

// ---------------------------------------------------------------------------------------------
// UTF-8

void appendUtf8(std::string &out, char32_t c)
{
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xC0 | (c >> 6));
        out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += char(0xE0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    } else {
        out += char(0xF0 | (c >> 18));
        out += char(0x80 | ((c >> 12) & 0x3F));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    }
}

// Python would never see invalid UTF-8 (it decodes before tokenizing), so there is no reference to
// follow: each maximal invalid subsequence becomes one U+FFFD, as Python's "replace" handler does.
std::u32string decodeUtf8(const std::string &text)
{
    std::u32string out;
    out.reserve(text.size());
    const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char lead = bytes[i];
        if (lead < 0x80) {
            out += char32_t(lead);
            ++i;
            continue;
        }
        int length = 0;
        char32_t c = 0;
        // The allowed range of the second byte rules out overlong forms, surrogates and code
        // points above U+10FFFF.
        unsigned char low = 0x80, high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            c = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            c = lead & 0x0F;
            if (lead == 0xE0)
                low = 0xA0;
            else if (lead == 0xED)
                high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            c = lead & 0x07;
            if (lead == 0xF0)
                low = 0x90;
            else if (lead == 0xF4)
                high = 0x8F;
        } else {
            out += kReplacementCharacter;
            ++i;
            continue;
        }
        size_t j = i + 1;
        bool valid = true;
        for (int k = 1; k < length; ++k, ++j) {
            const unsigned char b = j < n ? bytes[j] : 0;
            if (j >= n || b < low || b > high) {
                valid = false;
                break;
            }
            c = (c << 6) | (b & 0x3F);
            low = 0x80;
            high = 0xBF;
        }
        out += valid ? c : kReplacementCharacter;
        i = j;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Python's html.unescape (HTML5 character references)

struct NamedReference
{
    const char *name;
    char32_t codePoint;
    bool alsoWithoutSemicolon; // a legacy name that HTML5 still accepts without the ';'
};

// HTML 4.01's 252 entities, "apos", and the upper-case legacy spellings HTML5 keeps (AMP, COPY, GT,
// LT, QUOT, REG), with HTML5's code points (which moved lang and rang to U+27E8 and U+27E9). The
// other ~1,900 HTML5 names are not here: they stay as written. The legacy names must all be here,
// because they decide where a reference without ';' ends ("&ampx" is "&x"). Sorted by name.
constexpr NamedReference kNamedReferences[] = {
    {"AElig", 0x00C6, true},    {"AMP", 0x0026, true},      {"Aacute", 0x00C1, true},
    {"Acirc", 0x00C2, true},    {"Agrave", 0x00C0, true},   {"Alpha", 0x0391, false},
    {"Aring", 0x00C5, true},    {"Atilde", 0x00C3, true},   {"Auml", 0x00C4, true},
    {"Beta", 0x0392, false},    {"COPY", 0x00A9, true},     {"Ccedil", 0x00C7, true},
    {"Chi", 0x03A7, false},     {"Dagger", 0x2021, false},  {"Delta", 0x0394, false},
    {"ETH", 0x00D0, true},      {"Eacute", 0x00C9, true},   {"Ecirc", 0x00CA, true},
    {"Egrave", 0x00C8, true},   {"Epsilon", 0x0395, false}, {"Eta", 0x0397, false},
    {"Euml", 0x00CB, true},     {"GT", 0x003E, true},       {"Gamma", 0x0393, false},
    {"Iacute", 0x00CD, true},   {"Icirc", 0x00CE, true},    {"Igrave", 0x00CC, true},
    {"Iota", 0x0399, false},    {"Iuml", 0x00CF, true},     {"Kappa", 0x039A, false},
    {"LT", 0x003C, true},       {"Lambda", 0x039B, false},  {"Mu", 0x039C, false},
    {"Ntilde", 0x00D1, true},   {"Nu", 0x039D, false},      {"OElig", 0x0152, false},
    {"Oacute", 0x00D3, true},   {"Ocirc", 0x00D4, true},    {"Ograve", 0x00D2, true},
    {"Omega", 0x03A9, false},   {"Omicron", 0x039F, false}, {"Oslash", 0x00D8, true},
    {"Otilde", 0x00D5, true},   {"Ouml", 0x00D6, true},     {"Phi", 0x03A6, false},
    {"Pi", 0x03A0, false},      {"Prime", 0x2033, false},   {"Psi", 0x03A8, false},
    {"QUOT", 0x0022, true},     {"REG", 0x00AE, true},      {"Rho", 0x03A1, false},
    {"Scaron", 0x0160, false},  {"Sigma", 0x03A3, false},   {"THORN", 0x00DE, true},
    {"Tau", 0x03A4, false},     {"Theta", 0x0398, false},   {"Uacute", 0x00DA, true},
    {"Ucirc", 0x00DB, true},    {"Ugrave", 0x00D9, true},   {"Upsilon", 0x03A5, false},
    {"Uuml", 0x00DC, true},     {"Xi", 0x039E, false},      {"Yacute", 0x00DD, true},
    {"Yuml", 0x0178, false},    {"Zeta", 0x0396, false},    {"aacute", 0x00E1, true},
    {"acirc", 0x00E2, true},    {"acute", 0x00B4, true},    {"aelig", 0x00E6, true},
    {"agrave", 0x00E0, true},   {"alefsym", 0x2135, false}, {"alpha", 0x03B1, false},
    {"amp", 0x0026, true},      {"and", 0x2227, false},     {"ang", 0x2220, false},
    {"apos", 0x0027, false},    {"aring", 0x00E5, true},    {"asymp", 0x2248, false},
    {"atilde", 0x00E3, true},   {"auml", 0x00E4, true},     {"bdquo", 0x201E, false},
    {"beta", 0x03B2, false},    {"brvbar", 0x00A6, true},   {"bull", 0x2022, false},
    {"cap", 0x2229, false},     {"ccedil", 0x00E7, true},   {"cedil", 0x00B8, true},
    {"cent", 0x00A2, true},     {"chi", 0x03C7, false},     {"circ", 0x02C6, false},
    {"clubs", 0x2663, false},   {"cong", 0x2245, false},    {"copy", 0x00A9, true},
    {"crarr", 0x21B5, false},   {"cup", 0x222A, false},     {"curren", 0x00A4, true},
    {"dArr", 0x21D3, false},    {"dagger", 0x2020, false},  {"darr", 0x2193, false},
    {"deg", 0x00B0, true},      {"delta", 0x03B4, false},   {"diams", 0x2666, false},
    {"divide", 0x00F7, true},   {"eacute", 0x00E9, true},   {"ecirc", 0x00EA, true},
    {"egrave", 0x00E8, true},   {"empty", 0x2205, false},   {"emsp", 0x2003, false},
    {"ensp", 0x2002, false},    {"epsilon", 0x03B5, false}, {"equiv", 0x2261, false},
    {"eta", 0x03B7, false},     {"eth", 0x00F0, true},      {"euml", 0x00EB, true},
    {"euro", 0x20AC, false},    {"exist", 0x2203, false},   {"fnof", 0x0192, false},
    {"forall", 0x2200, false},  {"frac12", 0x00BD, true},   {"frac14", 0x00BC, true},
    {"frac34", 0x00BE, true},   {"frasl", 0x2044, false},   {"gamma", 0x03B3, false},
    {"ge", 0x2265, false},      {"gt", 0x003E, true},       {"hArr", 0x21D4, false},
    {"harr", 0x2194, false},    {"hearts", 0x2665, false},  {"hellip", 0x2026, false},
    {"iacute", 0x00ED, true},   {"icirc", 0x00EE, true},    {"iexcl", 0x00A1, true},
    {"igrave", 0x00EC, true},   {"image", 0x2111, false},   {"infin", 0x221E, false},
    {"int", 0x222B, false},     {"iota", 0x03B9, false},    {"iquest", 0x00BF, true},
    {"isin", 0x2208, false},    {"iuml", 0x00EF, true},     {"kappa", 0x03BA, false},
    {"lArr", 0x21D0, false},    {"lambda", 0x03BB, false},  {"lang", 0x27E8, false},
    {"laquo", 0x00AB, true},    {"larr", 0x2190, false},    {"lceil", 0x2308, false},
    {"ldquo", 0x201C, false},   {"le", 0x2264, false},      {"lfloor", 0x230A, false},
    {"lowast", 0x2217, false},  {"loz", 0x25CA, false},     {"lrm", 0x200E, false},
    {"lsaquo", 0x2039, false},  {"lsquo", 0x2018, false},   {"lt", 0x003C, true},
    {"macr", 0x00AF, true},     {"mdash", 0x2014, false},   {"micro", 0x00B5, true},
    {"middot", 0x00B7, true},   {"minus", 0x2212, false},   {"mu", 0x03BC, false},
    {"nabla", 0x2207, false},   {"nbsp", 0x00A0, true},     {"ndash", 0x2013, false},
    {"ne", 0x2260, false},      {"ni", 0x220B, false},      {"not", 0x00AC, true},
    {"notin", 0x2209, false},   {"nsub", 0x2284, false},    {"ntilde", 0x00F1, true},
    {"nu", 0x03BD, false},      {"oacute", 0x00F3, true},   {"ocirc", 0x00F4, true},
    {"oelig", 0x0153, false},   {"ograve", 0x00F2, true},   {"oline", 0x203E, false},
    {"omega", 0x03C9, false},   {"omicron", 0x03BF, false}, {"oplus", 0x2295, false},
    {"or", 0x2228, false},      {"ordf", 0x00AA, true},     {"ordm", 0x00BA, true},
    {"oslash", 0x00F8, true},   {"otilde", 0x00F5, true},   {"otimes", 0x2297, false},
    {"ouml", 0x00F6, true},     {"para", 0x00B6, true},     {"part", 0x2202, false},
    {"permil", 0x2030, false},  {"perp", 0x22A5, false},    {"phi", 0x03C6, false},
    {"pi", 0x03C0, false},      {"piv", 0x03D6, false},     {"plusmn", 0x00B1, true},
    {"pound", 0x00A3, true},    {"prime", 0x2032, false},   {"prod", 0x220F, false},
    {"prop", 0x221D, false},    {"psi", 0x03C8, false},     {"quot", 0x0022, true},
    {"rArr", 0x21D2, false},    {"radic", 0x221A, false},   {"rang", 0x27E9, false},
    {"raquo", 0x00BB, true},    {"rarr", 0x2192, false},    {"rceil", 0x2309, false},
    {"rdquo", 0x201D, false},   {"real", 0x211C, false},    {"reg", 0x00AE, true},
    {"rfloor", 0x230B, false},  {"rho", 0x03C1, false},     {"rlm", 0x200F, false},
    {"rsaquo", 0x203A, false},  {"rsquo", 0x2019, false},   {"sbquo", 0x201A, false},
    {"scaron", 0x0161, false},  {"sdot", 0x22C5, false},    {"sect", 0x00A7, true},
    {"shy", 0x00AD, true},      {"sigma", 0x03C3, false},   {"sigmaf", 0x03C2, false},
    {"sim", 0x223C, false},     {"spades", 0x2660, false},  {"sub", 0x2282, false},
    {"sube", 0x2286, false},    {"sum", 0x2211, false},     {"sup", 0x2283, false},
    {"sup1", 0x00B9, true},     {"sup2", 0x00B2, true},     {"sup3", 0x00B3, true},
    {"supe", 0x2287, false},    {"szlig", 0x00DF, true},    {"tau", 0x03C4, false},
    {"there4", 0x2234, false},  {"theta", 0x03B8, false},   {"thetasym", 0x03D1, false},
    {"thinsp", 0x2009, false},  {"thorn", 0x00FE, true},    {"tilde", 0x02DC, false},
    {"times", 0x00D7, true},    {"trade", 0x2122, false},   {"uArr", 0x21D1, false},
    {"uacute", 0x00FA, true},   {"uarr", 0x2191, false},    {"ucirc", 0x00FB, true},
    {"ugrave", 0x00F9, true},   {"uml", 0x00A8, true},      {"upsih", 0x03D2, false},
    {"upsilon", 0x03C5, false}, {"uuml", 0x00FC, true},     {"weierp", 0x2118, false},
    {"xi", 0x03BE, false},      {"yacute", 0x00FD, true},   {"yen", 0x00A5, true},
    {"yuml", 0x00FF, true},     {"zeta", 0x03B6, false},    {"zwj", 0x200D, false},
    {"zwnj", 0x200C, false},
};

const NamedReference *findNamedReference(std::u32string_view name)
{
    const bool withSemicolon = !name.empty() && name.back() == U';';
    if (withSemicolon)
        name.remove_suffix(1);
    std::string ascii;
    ascii.reserve(name.size());
    for (const char32_t c : name) {
        if (c >= 0x80)
            return nullptr;
        ascii += char(c);
    }
    const auto *end = std::end(kNamedReferences);
    const auto *found = std::lower_bound(std::begin(kNamedReferences), end, ascii,
                                         [](const NamedReference &entry, const std::string &key) {
                                             return std::strcmp(entry.name, key.c_str()) < 0;
                                         });
    if (found == end || ascii != found->name)
        return nullptr;
    if (!withSemicolon && !found->alsoWithoutSemicolon)
        return nullptr;
    return found;
}

// What a numeric reference stands for: the HTML5 parsing rules, which map the C1 range to
// windows-1252, drop most control characters and non-characters, and replace the impossible ones.
std::u32string numericReferenceText(char32_t value)
{
    static constexpr char32_t kWindows1252[32] = {
        0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
    if (value == 0)
        return std::u32string(1, kReplacementCharacter);
    if (value == 0x0D)
        return U"\r";
    if (value >= 0x80 && value <= 0x9F)
        return std::u32string(1, kWindows1252[value - 0x80]);
    if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF)
        return std::u32string(1, kReplacementCharacter);
    const bool dropped = (value >= 0x01 && value <= 0x08) || value == 0x0B ||
                         (value >= 0x0E && value <= 0x1F) || value == 0x7F ||
                         (value >= 0xFDD0 && value <= 0xFDEF) || (value & 0xFFFE) == 0xFFFE;
    if (dropped)
        return {};
    return std::u32string(1, value);
}

bool isAsciiDigit(char32_t c)
{
    return c >= U'0' && c <= U'9';
}

int hexDigitValue(char32_t c)
{
    if (c >= U'0' && c <= U'9')
        return int(c - U'0');
    if (c >= U'a' && c <= U'f')
        return int(c - U'a') + 10;
    if (c >= U'A' && c <= U'F')
        return int(c - U'A') + 10;
    return -1;
}

// The reference's pattern is &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?), replaced
// left to right; a named reference that is not known as a whole gives way to its longest known
// prefix (only legacy names can be such a prefix), and stays as written when there is none.
std::u32string htmlUnescape(const std::u32string &text)
{
    if (text.find(U'&') == std::u32string::npos)
        return text;
    std::u32string out;
    out.reserve(text.size());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        if (text[i] != U'&') {
            out += text[i++];
            continue;
        }
        if (i + 1 < n && text[i + 1] == U'#') {
            size_t j = i + 2;
            const bool hex =
                j + 1 < n && (text[j] == U'x' || text[j] == U'X') && hexDigitValue(text[j + 1]) >= 0;
            if (!hex && !(j < n && isAsciiDigit(text[j]))) {
                out += text[i++];
                continue;
            }
            if (hex)
                ++j;
            // Python's integers do not overflow; anything above U+10FFFF is replaced all the same,
            // so the value saturates there.
            char32_t value = 0;
            const int base = hex ? 16 : 10;
            for (; j < n; ++j) {
                const int digit =
                    hex ? hexDigitValue(text[j]) : (isAsciiDigit(text[j]) ? int(text[j] - U'0') : -1);
                if (digit < 0)
                    break;
                value = std::min<char32_t>(value * base + char32_t(digit), 0x110000);
            }
            if (j < n && text[j] == U';')
                ++j;
            out += numericReferenceText(value);
            i = j;
            continue;
        }
        const size_t nameStart = i + 1;
        size_t j = nameStart;
        while (j < n && j - nameStart < 32) {
            const char32_t c = text[j];
            if (c == U'\t' || c == U'\n' || c == U'\f' || c == U' ' || c == U'<' || c == U'&' || c == U'#' ||
                c == U';')
                break;
            ++j;
        }
        if (j == nameStart) {
            out += text[i++];
            continue;
        }
        if (j < n && text[j] == U';')
            ++j;
        const std::u32string_view name(text.data() + nameStart, j - nameStart);
        if (const NamedReference *whole = findNamedReference(name)) {
            out += whole->codePoint;
        } else {
            bool replaced = false;
            for (size_t length = name.size() - 1; length >= 2 && !replaced; --length) {
                if (const NamedReference *prefix = findNamedReference(name.substr(0, length))) {
                    out += prefix->codePoint;
                    out += name.substr(length);
                    replaced = true;
                }
            }
            if (!replaced) {
                out += U'&';
                out += name;
            }
        }
        i = j;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Python's str.strip/str.lower and the regex module's \s

// str.isspace(): the regex module's \s plus the information separators U+001C..U+001F.
bool isPythonSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

// The regex module's \s: Unicode's White_Space property.
bool isRegexSpace(char32_t c)
{
    return isPythonSpace(c) && !(c >= 0x1C && c <= 0x1F);
}

// The reference's strip after unescaping, then its whitespace_clean: runs of \s to one space, strip.
// Python's strip removes more than \s matches (U+001C..U+001F), so the order matters.
std::u32string cleanWhitespace(const std::u32string &text)
{
    size_t begin = 0, end = text.size();
    while (begin < end && isPythonSpace(text[begin]))
        ++begin;
    while (end > begin && isPythonSpace(text[end - 1]))
        --end;
    std::u32string out;
    out.reserve(end - begin);
    bool inRun = false;
    for (size_t i = begin; i < end; ++i) {
        if (isRegexSpace(text[i])) {
            if (!inRun)
                out += U' ';
            inRun = true;
        } else {
            out += text[i];
            inRun = false;
        }
    }
    size_t first = 0, last = out.size();
    while (first < last && isPythonSpace(out[first]))
        ++first;
    while (last > first && isPythonSpace(out[last - 1]))
        --last;
    return out.substr(first, last - first);
}

bool isCased(char32_t c)
{
    // Unicode's Other_Lowercase and Other_Uppercase: cased letters without a case mapping, which
    // QChar's categories and mappings do not reveal.
    static constexpr std::pair<char32_t, char32_t> kOtherCased[] = {
        {0x00AA, 0x00AA},   {0x00BA, 0x00BA},   {0x02B0, 0x02B8},   {0x02C0, 0x02C1},   {0x02E0, 0x02E4},
        {0x037A, 0x037A},   {0x1D2C, 0x1D6A},   {0x1D78, 0x1D78},   {0x1D9B, 0x1DBF},   {0x2071, 0x2071},
        {0x207F, 0x207F},   {0x2090, 0x209C},   {0x2C7C, 0x2C7D},   {0xA69C, 0xA69D},   {0xA770, 0xA770},
        {0xA7F8, 0xA7F9},   {0xAB5C, 0xAB5F},   {0x10780, 0x10780}, {0x10783, 0x10785}, {0x10787, 0x107B0},
        {0x107B2, 0x107BA}, {0x1F130, 0x1F149}, {0x1F150, 0x1F169}, {0x1F170, 0x1F189}};
    const QChar::Category category = QChar::category(c);
    if (category == QChar::Letter_Uppercase || category == QChar::Letter_Lowercase ||
        category == QChar::Letter_Titlecase || QChar::toLower(c) != c || QChar::toUpper(c) != c)
        return true;
    return std::any_of(std::begin(kOtherCased), std::end(kOtherCased),
                       [c](const auto &range) { return c >= range.first && c <= range.second; });
}

bool isCaseIgnorable(char32_t c)
{
    // Word_Break MidLetter, MidNumLet and Single_Quote, which are punctuation by category.
    static constexpr char32_t kWordInternal[] = {0x0027, 0x002E, 0x003A, 0x00B7, 0x0387, 0x055F,
                                                 0x05F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13,
                                                 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A};
    const QChar::Category category = QChar::category(c);
    if (category == QChar::Mark_NonSpacing || category == QChar::Mark_Enclosing ||
        category == QChar::Other_Format || category == QChar::Letter_Modifier ||
        category == QChar::Symbol_Modifier)
        return true;
    return std::find(std::begin(kWordInternal), std::end(kWordInternal), c) != std::end(kWordInternal);
}

// Python lowers capital sigma to the final form when it ends a word: a cased letter before it and
// none after it, case-ignorable characters skipped on both sides.
bool isFinalSigma(const std::u32string &text, size_t at)
{
    size_t before = at;
    while (before > 0 && isCaseIgnorable(text[before - 1]))
        --before;
    if (before == 0 || !isCased(text[before - 1]))
        return false;
    size_t after = at + 1;
    while (after < text.size() && isCaseIgnorable(text[after]))
        ++after;
    return after == text.size() || !isCased(text[after]);
}

// Python's str.lower(): the simple mappings, the one unconditional multi-character mapping of
// SpecialCasing.txt (U+0130), and the final sigma.
std::u32string pythonLower(const std::u32string &text)
{
    std::u32string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c < 0x80)
            out += (c >= U'A' && c <= U'Z') ? c + 32 : c;
        else if (c == 0x0130)
            out += U"i\u0307";
        else if (c == 0x03A3)
            out += isFinalSigma(text, i) ? char32_t(0x03C2) : char32_t(0x03C3);
        else
            out += QChar::toLower(c);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The reference's split pattern, with IGNORECASE:
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+

enum class CharClass { Unmatched, Letter, Number, Other };

CharClass classify(char32_t c)
{
    // U+0345 (combining ypogegrammeni) case-folds to iota, so the case-insensitive negated class
    // rejects it, while [\p{L}] does not take it either: the regex module matches it nowhere.
    if (c < 0x80) {
        if ((c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'))
            return CharClass::Letter;
        if (isAsciiDigit(c))
            return CharClass::Number;
        return isRegexSpace(c) ? CharClass::Unmatched : CharClass::Other;
    }
    if (isRegexSpace(c) || c == 0x0345)
        return CharClass::Unmatched;
    switch (QChar::category(c)) {
    case QChar::Letter_Uppercase:
    case QChar::Letter_Lowercase:
    case QChar::Letter_Titlecase:
    case QChar::Letter_Modifier:
    case QChar::Letter_Other:
        return CharClass::Letter;
    case QChar::Number_DecimalDigit:
    case QChar::Number_Letter:
    case QChar::Number_Other:
        return CharClass::Number;
    default:
        return CharClass::Other;
    }
}

// `literal` (ASCII lower case) at `at`, compared as IGNORECASE does: by simple case folding, so the
// long s U+017F matches 's'.
bool matchesFolded(const std::u32string &text, size_t at, std::string_view literal)
{
    if (text.size() - at < literal.size())
        return false;
    for (size_t k = 0; k < literal.size(); ++k) {
        const char32_t c = text[at + k];
        if (c != char32_t(literal[k]) && QChar::toCaseFolded(c) != char32_t(literal[k]))
            return false;
    }
    return true;
}

// The length of the match the pattern makes at `at`, 0 when it makes none there (findall then
// moves on by one character).
size_t matchLength(const std::u32string &text, size_t at)
{
    static constexpr std::string_view kContractions[] = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
    const char32_t c = text[at];
    if (c == U'<') {
        for (const std::string_view special : {kStartOfTextText, kEndOfTextText})
            if (matchesFolded(text, at, special))
                return special.size();
    } else if (c == U'\'') {
        for (const std::string_view contraction : kContractions)
            if (matchesFolded(text, at, contraction))
                return contraction.size();
    }
    const CharClass kind = classify(c);
    if (kind == CharClass::Unmatched)
        return 0;
    if (kind == CharClass::Number)
        return 1;
    size_t end = at + 1;
    while (end < text.size() && classify(text[end]) == kind)
        ++end;
    return end - at;
}

// ---------------------------------------------------------------------------------------------
// Merges

// The reference's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others move
// to 256 + n, so that no symbol is whitespace or a control character. Symbol ids follow the
// reference's order: the printable bytes first, then the moved ones.
struct ByteSymbols
{
    std::array<char32_t, kByteSymbolCount> character{}; // by byte value
    std::array<int, kByteSymbolCount> order{};          // byte value of symbol id i
};

ByteSymbols makeByteSymbols()
{
    ByteSymbols symbols;
    auto printable = [](int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE; };
    int id = 0;
    for (int b = 0; b < kByteSymbolCount; ++b)
        if (printable(b)) {
            symbols.character[b] = char32_t(b);
            symbols.order[id++] = b;
        }
    int moved = 0;
    for (int b = 0; b < kByteSymbolCount; ++b)
        if (!printable(b)) {
            symbols.character[b] = char32_t(kByteSymbolCount + moved++);
            symbols.order[id++] = b;
        }
    return symbols;
}

struct Merge
{
    int32_t rank;
    int32_t result;
};

// Open addressing keyed by the pair of symbol ids: the lookup is the inner loop of BPE.
class MergeTable
{
  public:
    explicit MergeTable(size_t count)
    {
        size_t capacity = 16;
        while (capacity < 2 * count)
            capacity *= 2;
        slots_.resize(capacity);
        mask_ = capacity - 1;
    }

    void set(int32_t first, int32_t second, Merge merge)
    {
        const uint64_t key = keyOf(first, second);
        for (size_t i = slotOf(key);; i = (i + 1) & mask_) {
            if (slots_[i].key == kEmpty || slots_[i].key == key) {
                slots_[i] = {key, merge};
                return;
            }
        }
    }

    const Merge *find(int32_t first, int32_t second) const
    {
        const uint64_t key = keyOf(first, second);
        for (size_t i = slotOf(key);; i = (i + 1) & mask_) {
            if (slots_[i].key == key)
                return &slots_[i].merge;
            if (slots_[i].key == kEmpty)
                return nullptr;
        }
    }

  private:
    static constexpr uint64_t kEmpty = ~uint64_t(0);
    struct Slot
    {
        uint64_t key = kEmpty;
        Merge merge{};
    };
    static uint64_t keyOf(int32_t first, int32_t second)
    {
        return (uint64_t(uint32_t(first)) << 32) | uint32_t(second);
    }
    size_t slotOf(uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> 32) & mask_; }

    std::vector<Slot> slots_;
    size_t mask_ = 0;
};

bool isAsciiSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::vector<std::string_view> splitOnWhitespace(std::string_view line)
{
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isAsciiSpace(line[i]))
            ++i;
        size_t j = i;
        while (j < line.size() && !isAsciiSpace(line[j]))
            ++j;
        if (j > i)
            parts.push_back(line.substr(i, j - i));
        i = j;
    }
    return parts;
}

std::string shortened(std::string_view line)
{
    constexpr size_t kShown = 60;
    return line.size() <= kShown ? std::string(line) : std::string(line.substr(0, kShown)) + "...";
}

// zlib's messages mostly start with the path already; the error names it once, in front.
std::string withoutPathPrefix(const std::string &reason, const std::string &path)
{
    const std::string prefix = path + ": ";
    return prefix + (reason.compare(0, prefix.size(), prefix) == 0 ? reason.substr(prefix.size()) : reason);
}

} // namespace

struct ClipTokenizer::Private
{
    explicit Private(std::string mergesText) : merges(std::move(mergesText)), table(kMergeCount) {}

    std::vector<int64_t> bytePairEncode(const std::string &piece) const;
    void appendPiece(const std::u32string &text, size_t at, size_t length, std::string &buffer,
                     std::vector<int64_t> &ids) const;

    std::string merges;
    std::array<int32_t, kByteSymbolCount> byteSymbol{};          // by byte value
    std::array<int32_t, kByteSymbolCount> wordFinalByteSymbol{}; // by byte value, with "</w>"
    MergeTable table;

    mutable std::shared_mutex cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int64_t>> cache;
};

std::vector<int64_t> ClipTokenizer::Private::bytePairEncode(const std::string &piece) const
{
    std::vector<int32_t> word(piece.size());
    for (size_t i = 0; i < piece.size(); ++i)
        word[i] = byteSymbol[static_cast<unsigned char>(piece[i])];
    word.back() = wordFinalByteSymbol[static_cast<unsigned char>(piece.back())];
    while (word.size() > 1) {
        const Merge *best = nullptr;
        int32_t first = 0, second = 0;
        for (size_t i = 0; i + 1 < word.size(); ++i) {
            const Merge *merge = table.find(word[i], word[i + 1]);
            if (merge && (!best || merge->rank < best->rank)) {
                best = merge;
                first = word[i];
                second = word[i + 1];
            }
        }
        if (!best)
            break;
        // Every occurrence of the best pair merges, left to right, as in the reference.
        size_t kept = 0;
        for (size_t i = 0; i < word.size();) {
            if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
                word[kept++] = best->result;
                i += 2;
            } else {
                word[kept++] = word[i++];
            }
        }
        word.resize(kept);
    }
    return {word.begin(), word.end()};
}

void ClipTokenizer::Private::appendPiece(const std::u32string &text, size_t at, size_t length,
                                         std::string &buffer, std::vector<int64_t> &ids) const
{
    buffer.clear();
    for (size_t i = at; i < at + length; ++i)
        appendUtf8(buffer, text[i]);
    // The reference seeds its cache with the two special tokens; only their exact spelling gets the
    // special id (a case-folded match such as "<|ſtartoftext|>" is split into bytes like any word).
    if (buffer == kStartOfTextText) {
        ids.push_back(kStartOfText);
        return;
    }
    if (buffer == kEndOfTextText) {
        ids.push_back(kEndOfText);
        return;
    }
    {
        std::shared_lock lock(cacheMutex);
        const auto found = cache.find(buffer);
        if (found != cache.end()) {
            ids.insert(ids.end(), found->second.begin(), found->second.end());
            return;
        }
    }
    std::vector<int64_t> encoded = bytePairEncode(buffer);
    ids.insert(ids.end(), encoded.begin(), encoded.end());
    std::unique_lock lock(cacheMutex);
    if (cache.size() >= kCacheLimit)
        cache.clear();
    cache.emplace(buffer, std::move(encoded));
}

ClipTokenizer::ClipTokenizer() = default;
ClipTokenizer::ClipTokenizer(ClipTokenizer &&) noexcept = default;
ClipTokenizer &ClipTokenizer::operator=(ClipTokenizer &&) noexcept = default;
ClipTokenizer::~ClipTokenizer() = default;

ClipTokenizer ClipTokenizer::fromMerges(const std::string &merges)
{
    ClipTokenizer tokenizer;
    tokenizer.d = std::make_unique<Private>(merges);
    Private &d = *tokenizer.d;

    // The reference's encoder is a dict over the vocabulary list, so a repeated string keeps its
    // last id; symbols are identified by that id throughout.
    std::unordered_map<std::string, int32_t> ids;
    ids.reserve(kVocabularySize);
    const ByteSymbols bytes = makeByteSymbols();
    std::array<std::string, kByteSymbolCount> byteStrings;
    for (int id = 0; id < kByteSymbolCount; ++id) {
        appendUtf8(byteStrings[id], bytes.character[bytes.order[id]]);
        ids[byteStrings[id]] = id;
    }
    for (int id = 0; id < kByteSymbolCount; ++id)
        ids[byteStrings[id] + std::string(kWordEnd)] = kByteSymbolCount + id;

    std::vector<std::pair<std::string, std::string>> pairs;
    pairs.reserve(kMergeCount);
    size_t lineStart = merges.find('\n');
    int lineNumber = 1;
    while (int(pairs.size()) < kMergeCount) {
        // A final newline ends the list rather than starting an empty line.
        if (lineStart == std::string::npos || lineStart + 1 == merges.size())
            throw Error("not a CLIP merges list: only " + std::to_string(pairs.size()) + " of the " +
                        std::to_string(kMergeCount) + " merges it needs follow its header");
        ++lineStart;
        ++lineNumber;
        const size_t lineEnd = std::min(merges.find('\n', lineStart), merges.size());
        const std::string_view line(merges.data() + lineStart, lineEnd - lineStart);
        const std::vector<std::string_view> parts = splitOnWhitespace(line);
        // Each merge joins two symbols that exist by then: bytes or results of earlier merges.
        if (parts.size() != 2 || !ids.count(std::string(parts[0])) || !ids.count(std::string(parts[1])))
            throw Error("not a CLIP merges list: line " + std::to_string(lineNumber) + " (\"" +
                        shortened(line) + "\") is not a pair of known symbols");
        pairs.emplace_back(parts[0], parts[1]);
        ids[std::string(parts[0]) + std::string(parts[1])] = int32_t(2 * kByteSymbolCount + pairs.size() - 1);
        lineStart = lineEnd < merges.size() ? lineEnd : std::string::npos;
    }
    ids[std::string(kStartOfTextText)] = int32_t(kStartOfText);
    ids[std::string(kEndOfTextText)] = int32_t(kEndOfText);

    for (int b = 0; b < kByteSymbolCount; ++b) {
        std::string symbol;
        appendUtf8(symbol, bytes.character[b]);
        d.byteSymbol[b] = ids.at(symbol);
        d.wordFinalByteSymbol[b] = ids.at(symbol + std::string(kWordEnd));
    }
    // A pair listed twice keeps its last rank, as the reference's dict does.
    for (size_t rank = 0; rank < pairs.size(); ++rank) {
        const auto &[first, second] = pairs[rank];
        d.table.set(ids.at(first), ids.at(second), {int32_t(rank), ids.at(first + second)});
    }
    return tokenizer;
}

ClipTokenizer ClipTokenizer::fromMergesFile(const std::string &path)
{
    const QFileInfo info(QString::fromStdString(path));
    if (!info.exists())
        throw Error("CLIP merges file " + path + " does not exist");
    if (!info.isFile())
        throw Error("CLIP merges file " + path + " is not a file");
    // gzread passes a file that is not gzip-compressed through unchanged.
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file)
        throw Error("cannot open CLIP merges file " + path + ": " + std::strerror(errno));
    std::string text;
    std::array<char, 1 << 16> chunk;
    for (;;) {
        const int read = gzread(file, chunk.data(), unsigned(chunk.size()));
        if (read < 0) {
            int code = 0;
            const std::string reason = gzerror(file, &code);
            gzclose(file);
            throw Error("cannot read CLIP merges file " + withoutPathPrefix(reason, path));
        }
        if (read == 0)
            break;
        text.append(chunk.data(), size_t(read));
    }
    // A truncated gzip stream ends like a complete one; only the stream state tells them apart.
    int state = Z_OK;
    const std::string reason = gzerror(file, &state);
    gzclose(file);
    if (state != Z_OK)
        throw Error("cannot read CLIP merges file " + withoutPathPrefix(reason, path));
    try {
        return fromMerges(text);
    } catch (const Error &error) {
        throw Error(path + ": " + error.what());
    }
}

std::vector<int64_t> ClipTokenizer::encode(const std::string &text) const
{
    const std::u32string cleaned = pythonLower(cleanWhitespace(htmlUnescape(htmlUnescape(decodeUtf8(text)))));
    std::vector<int64_t> ids;
    std::string buffer;
    for (size_t at = 0; at < cleaned.size();) {
        const size_t length = matchLength(cleaned, at);
        if (length == 0) {
            ++at;
            continue;
        }
        d->appendPiece(cleaned, at, length, buffer, ids);
        at += length;
    }
    return ids;
}

std::vector<int64_t> ClipTokenizer::tokenize(const std::string &text) const
{
    std::vector<int64_t> ids{kStartOfText};
    const std::vector<int64_t> encoded = encode(text);
    ids.insert(ids.end(), encoded.begin(), encoded.end());
    ids.push_back(kEndOfText);
    return ids;
}

int64_t ClipTokenizer::vocabularySize() const
{
    return kVocabularySize;
}

const std::string &ClipTokenizer::merges() const
{
    return d->merges;
}

} // namespace ood

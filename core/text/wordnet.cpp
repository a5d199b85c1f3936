#include "text/wordnet.h"

#include "base/error.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace ood {

namespace {

using SynsetId = WordNet::SynsetId;

std::string readWholeFile(const std::string &path, bool required)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (required)
            throw Error("cannot read the WordNet file " + path +
                        " (Debian's package wordnet-base installs it in /usr/share/wordnet)");
        return {};
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

/// Calls `line(text, number)` for each line of `content` (1-based numbers, no newline).
template <typename Function> void forEachLine(const std::string &content, Function line)
{
    size_t start = 0;
    int number = 0;
    while (start < content.size()) {
        size_t end = content.find('\n', start);
        if (end == std::string::npos)
            end = content.size();
        ++number;
        line(std::string_view(content).substr(start, end - start), number);
        start = end + 1;
    }
}

std::vector<std::string_view> splitSpaces(std::string_view text)
{
    std::vector<std::string_view> tokens;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\r' || text[i] == '\t'))
            ++i;
        const size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\r' && text[i] != '\t')
            ++i;
        if (i > start)
            tokens.push_back(text.substr(start, i - start));
    }
    return tokens;
}

/// The licence text at the top of every database file: each of its lines starts with two spaces.
bool isLicenceLine(std::string_view line)
{
    return line.size() >= 2 && line[0] == ' ' && line[1] == ' ';
}

class LineError
{
  public:
    LineError(std::string path, int line) : m_path(std::move(path)), m_line(line) {}
    [[noreturn]] void raise(const std::string &what) const
    {
        throw Error("malformed WordNet file " + m_path + ", line " + std::to_string(m_line) + ": " + what);
    }

  private:
    std::string m_path;
    int m_line;
};

template <typename Int>
Int parseNumber(std::string_view token, int base, const char *what, const LineError &error)
{
    Int value{};
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value, base);
    if (ec != std::errc() || end != token.data() + token.size())
        error.raise(std::string(what) + " '" + std::string(token) + "' is not a number");
    return value;
}

/// "galore(ip)" -> "galore": data.adj marks an adjective's syntactic position after the word.
std::string_view withoutPositionMarker(std::string_view word)
{
    if (!word.empty() && word.back() == ')') {
        const size_t open = word.rfind('(');
        if (open != std::string_view::npos && open > 0)
            return word.substr(0, open);
    }
    return word;
}

std::string compactKey(const std::string &cleaned)
{
    std::string out;
    for (const char c : cleaned)
        if (c != ' ' && c != '-')
            out.push_back(c);
    return out;
}

bool isNounSide(char pos)
{
    return pos == 'n';
}

bool isAdjectiveSide(char pos)
{
    return pos == 'a' || pos == 's';
}

} // namespace

struct WordNet::Private
{
    std::vector<Synset> synsets;
    std::vector<int> lineOfSynset; ///< for errors found after parsing (dangling pointers)
    std::unordered_map<uint32_t, SynsetId> nounAt, adjectiveAt;
    /// lemmaKey -> synsets, sense order; and cleanedKey -> synsets.
    std::unordered_map<std::string, std::vector<SynsetId>> nounLemmas, adjectiveLemmas;
    std::unordered_map<std::string, std::vector<SynsetId>> nounCleaned, adjectiveCleaned;
    /// cleanedKey without spaces and hyphens -> synsets ("coffeemaker" -> coffee_maker).
    std::unordered_map<std::string, std::vector<SynsetId>> nounCompact, adjectiveCompact;
    /// Irregular form -> base forms (noun.exc, adj.exc).
    std::unordered_map<std::string, std::vector<std::string>> nounExceptions, adjectiveExceptions;
    SynsetId taxonomicGroup = kNoSynset;

    auto &lemmas(PartOfSpeech pos) { return pos == PartOfSpeech::Noun ? nounLemmas : adjectiveLemmas; }
    const auto &lemmas(PartOfSpeech pos) const
    {
        return pos == PartOfSpeech::Noun ? nounLemmas : adjectiveLemmas;
    }
    const auto &cleaned(PartOfSpeech pos) const
    {
        return pos == PartOfSpeech::Noun ? nounCleaned : adjectiveCleaned;
    }
    const auto &compact(PartOfSpeech pos) const
    {
        return pos == PartOfSpeech::Noun ? nounCompact : adjectiveCompact;
    }
    const auto &offsets(PartOfSpeech pos) const { return pos == PartOfSpeech::Noun ? nounAt : adjectiveAt; }

    void readData(const std::string &path, PartOfSpeech pos);
    void readIndex(const std::string &path, PartOfSpeech pos);
    void readExceptions(const std::string &path, PartOfSpeech pos);
    void resolvePointers(const std::string &nounPath, const std::string &adjectivePath);
    void buildCleanedKeys();
};

void WordNet::Private::readData(const std::string &path, PartOfSpeech pos)
{
    const std::string content = readWholeFile(path, true);
    auto &byOffset = pos == PartOfSpeech::Noun ? nounAt : adjectiveAt;
    auto &byLemma = lemmas(pos);
    const auto &names = lexicographerFileNames();
    forEachLine(content, [&](std::string_view line, int number) {
        if (isLicenceLine(line) || line.find_first_not_of(" \r\t") == std::string_view::npos)
            return;
        const LineError error(path, number);
        const size_t bar = line.find(" | ");
        const size_t glossStart = bar == std::string_view::npos ? line.size() : bar + 3;
        const std::vector<std::string_view> fields = splitSpaces(line.substr(0, std::min(bar, line.size())));
        if (fields.size() < 6)
            error.raise("expected offset, lexicographer file, type, word count, words and pointer count");
        Synset synset;
        synset.offset = parseNumber<uint32_t>(fields[0], 10, "synset offset", error);
        synset.lexFile = parseNumber<int>(fields[1], 10, "lexicographer file number", error);
        if (synset.lexFile < 0 || synset.lexFile >= static_cast<int>(names.size()))
            error.raise("lexicographer file number " + std::string(fields[1]) +
                        " is not one of lexnames(5WN)");
        if (fields[2].size() != 1)
            error.raise("synset type '" + std::string(fields[2]) + "' is not one letter");
        synset.type = fields[2][0];
        const bool typeFits =
            pos == PartOfSpeech::Noun ? isNounSide(synset.type) : isAdjectiveSide(synset.type);
        if (!typeFits)
            error.raise(std::string("synset type '") + synset.type + "' does not belong in this file");
        const int wordCount = parseNumber<int>(fields[3], 16, "word count", error);
        if (wordCount < 1)
            error.raise("a synset has at least one word");
        size_t at = 4;
        if (fields.size() < at + 2 * static_cast<size_t>(wordCount) + 1)
            error.raise("fewer words than the word count " + std::to_string(wordCount));
        for (int w = 0; w < wordCount; ++w, at += 2) {
            parseNumber<int>(fields[at + 1], 16, "lex_id", error);
            synset.words.emplace_back(withoutPositionMarker(fields[at]));
        }
        const int pointerCount = parseNumber<int>(fields[at], 10, "pointer count", error);
        ++at;
        if (fields.size() != at + 4 * static_cast<size_t>(pointerCount))
            error.raise("the pointer count " + std::to_string(pointerCount) + " does not match the " +
                        std::to_string((fields.size() - at) / 4) + " pointers");
        for (int p = 0; p < pointerCount; ++p, at += 4) {
            Pointer pointer;
            pointer.symbol = std::string(fields[at]);
            pointer.offset = parseNumber<uint32_t>(fields[at + 1], 10, "pointer offset", error);
            if (fields[at + 2].size() != 1 ||
                std::string_view("nvars").find(fields[at + 2][0]) == std::string_view::npos)
                error.raise("pointer part of speech '" + std::string(fields[at + 2]) +
                            "' is not n, v, a, r or s");
            pointer.pos = fields[at + 2][0];
            if (fields[at + 3].size() != 4)
                error.raise("pointer source/target '" + std::string(fields[at + 3]) +
                            "' is not four hex digits");
            pointer.sourceWord = parseNumber<int>(fields[at + 3].substr(0, 2), 16, "pointer source", error);
            pointer.targetWord = parseNumber<int>(fields[at + 3].substr(2, 2), 16, "pointer target", error);
            if (pointer.sourceWord > wordCount)
                error.raise("pointer source word " + std::to_string(pointer.sourceWord) + " beyond the " +
                            std::to_string(wordCount) + " words");
            synset.pointers.push_back(std::move(pointer));
        }
        if (glossStart < line.size()) {
            std::string_view gloss = line.substr(glossStart);
            while (!gloss.empty() && (gloss.back() == ' ' || gloss.back() == '\r'))
                gloss.remove_suffix(1);
            synset.gloss = std::string(gloss);
        }
        const auto id = static_cast<SynsetId>(synsets.size());
        if (!byOffset.emplace(synset.offset, id).second)
            error.raise("synset offset " + std::string(fields[0]) + " appears twice");
        for (const std::string &word : synset.words) {
            auto &list = byLemma[lemmaKey(word)];
            if (list.empty() || list.back() != id)
                list.push_back(id);
        }
        synsets.push_back(std::move(synset));
        lineOfSynset.push_back(number);
    });
}

void WordNet::Private::readIndex(const std::string &path, PartOfSpeech pos)
{
    const std::string content = readWholeFile(path, false);
    auto &byLemma = lemmas(pos);
    const auto &byOffset = offsets(pos);
    forEachLine(content, [&](std::string_view line, int number) {
        if (isLicenceLine(line) || line.find_first_not_of(" \r\t") == std::string_view::npos)
            return;
        const LineError error(path, number);
        // lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
        const std::vector<std::string_view> fields = splitSpaces(line);
        if (fields.size() < 7)
            error.raise("expected lemma, part of speech, counts and synset offsets");
        const int synsetCount = parseNumber<int>(fields[2], 10, "synset count", error);
        const int pointerCount = parseNumber<int>(fields[3], 10, "pointer count", error);
        const size_t first = 4 + static_cast<size_t>(pointerCount) + 2;
        if (fields.size() != first + static_cast<size_t>(synsetCount))
            error.raise("the synset count " + std::to_string(synsetCount) + " does not match the offsets");
        std::vector<SynsetId> ordered;
        for (size_t i = first; i < fields.size(); ++i) {
            const auto offset = parseNumber<uint32_t>(fields[i], 10, "synset offset", error);
            const auto found = byOffset.find(offset);
            if (found == byOffset.end())
                error.raise("synset offset " + std::string(fields[i]) + " is not in the data file");
            ordered.push_back(found->second);
        }
        auto entry = byLemma.find(lemmaKey(fields[0]));
        if (entry == byLemma.end())
            error.raise("lemma '" + std::string(fields[0]) + "' is in no synset of the data file");
        // The index's order first; a synset the index leaves out stays, after them.
        for (SynsetId id : entry->second)
            if (std::find(ordered.begin(), ordered.end(), id) == ordered.end())
                ordered.push_back(id);
        entry->second = std::move(ordered);
    });
}

void WordNet::Private::readExceptions(const std::string &path, PartOfSpeech pos)
{
    const std::string content = readWholeFile(path, false);
    auto &exceptions = pos == PartOfSpeech::Noun ? nounExceptions : adjectiveExceptions;
    forEachLine(content, [&](std::string_view line, int number) {
        const std::vector<std::string_view> fields = splitSpaces(line);
        if (fields.empty())
            return;
        if (fields.size() < 2)
            LineError(path, number).raise("an exception line names an inflected form and its base forms");
        auto &bases = exceptions[lemmaKey(fields[0])];
        for (size_t i = 1; i < fields.size(); ++i)
            bases.push_back(lemmaKey(fields[i]));
    });
}

void WordNet::Private::resolvePointers(const std::string &nounPath, const std::string &adjectivePath)
{
    for (size_t i = 0; i < synsets.size(); ++i) {
        Synset &synset = synsets[i];
        for (Pointer &pointer : synset.pointers) {
            const std::unordered_map<uint32_t, SynsetId> *targets = isNounSide(pointer.pos) ? &nounAt
                                                                    : isAdjectiveSide(pointer.pos)
                                                                        ? &adjectiveAt
                                                                        : nullptr;
            if (!targets)
                continue;
            const auto found = targets->find(pointer.offset);
            if (found == targets->end())
                LineError(synset.type == 'n' ? nounPath : adjectivePath, lineOfSynset[i])
                    .raise("pointer " + pointer.symbol + " to offset " + std::to_string(pointer.offset) +
                           " (" + pointer.pos + "), which is no synset");
            pointer.target = found->second;
        }
    }
}

void WordNet::Private::buildCleanedKeys()
{
    for (const PartOfSpeech pos : {PartOfSpeech::Noun, PartOfSpeech::Adjective}) {
        const auto &byLemma = lemmas(pos);
        auto &byCleaned = pos == PartOfSpeech::Noun ? nounCleaned : adjectiveCleaned;
        auto &byCompact = pos == PartOfSpeech::Noun ? nounCompact : adjectiveCompact;
        // Sorted, so that lemmas that clean to the same key merge in one fixed order.
        std::vector<const std::string *> keys;
        keys.reserve(byLemma.size());
        for (const auto &entry : byLemma)
            keys.push_back(&entry.first);
        std::sort(keys.begin(), keys.end(),
                  [](const std::string *a, const std::string *b) { return *a < *b; });
        for (const std::string *key : keys) {
            const std::string cleaned = cleanedKey(*key);
            for (auto *lists : {&byCleaned, &byCompact}) {
                auto &list = (*lists)[lists == &byCleaned ? cleaned : compactKey(cleaned)];
                for (SynsetId id : byLemma.at(*key))
                    if (std::find(list.begin(), list.end(), id) == list.end())
                        list.push_back(id);
            }
        }
    }
}

WordNet::WordNet() : d(std::make_unique<Private>()) {}
WordNet::WordNet(WordNet &&) noexcept = default;
WordNet &WordNet::operator=(WordNet &&) noexcept = default;
WordNet::~WordNet() = default;

WordNet WordNet::load(const std::string &directory)
{
    std::ifstream probe(directory + "/data.noun");
    if (!probe)
        throw Error(
            "no WordNet database in " + directory +
            " (data.noun is missing; Debian's package wordnet-base installs it in /usr/share/wordnet)");
    const std::string nounPath = directory + "/data.noun", adjectivePath = directory + "/data.adj";
    WordNet wordNet;
    Private &d = *wordNet.d;
    d.readData(nounPath, PartOfSpeech::Noun);
    d.readData(adjectivePath, PartOfSpeech::Adjective);
    d.resolvePointers(nounPath, adjectivePath);
    d.readIndex(directory + "/index.noun", PartOfSpeech::Noun);
    d.readIndex(directory + "/index.adj", PartOfSpeech::Adjective);
    d.readExceptions(directory + "/noun.exc", PartOfSpeech::Noun);
    d.readExceptions(directory + "/adj.exc", PartOfSpeech::Adjective);
    d.buildCleanedKeys();
    const auto taxon = d.nounLemmas.find("taxonomic group");
    if (taxon != d.nounLemmas.end() && !taxon->second.empty())
        d.taxonomicGroup = taxon->second.front();
    return wordNet;
}

const std::vector<std::string> &WordNet::lexicographerFileNames()
{
    static const std::vector<std::string> names{
        "adj.all",          "adj.pert",           "adv.all",
        "noun.Tops",        "noun.act",           "noun.animal",
        "noun.artifact",    "noun.attribute",     "noun.body",
        "noun.cognition",   "noun.communication", "noun.event",
        "noun.feeling",     "noun.food",          "noun.group",
        "noun.location",    "noun.motive",        "noun.object",
        "noun.person",      "noun.phenomenon",    "noun.plant",
        "noun.possession",  "noun.process",       "noun.quantity",
        "noun.relation",    "noun.shape",         "noun.state",
        "noun.substance",   "noun.time",          "verb.body",
        "verb.change",      "verb.cognition",     "verb.communication",
        "verb.competition", "verb.consumption",   "verb.contact",
        "verb.creation",    "verb.emotion",       "verb.motion",
        "verb.perception",  "verb.possession",    "verb.social",
        "verb.stative",     "verb.weather",       "adj.ppl"};
    return names;
}

std::vector<std::string> WordNet::lexFileNames() const
{
    const auto &names = lexicographerFileNames();
    std::vector<bool> present(names.size(), false);
    for (const Synset &synset : d->synsets)
        present[static_cast<size_t>(synset.lexFile)] = true;
    std::vector<std::string> out;
    for (size_t i = 0; i < names.size(); ++i)
        if (present[i])
            out.push_back(names[i]);
    return out;
}

std::vector<std::string> WordNet::firstLemmas(const std::string &lexFile) const
{
    const auto &names = lexicographerFileNames();
    const auto found = std::find(names.begin(), names.end(), lexFile);
    if (found == names.end())
        throw Error("'" + lexFile +
                    "' is not a WordNet lexicographer file (lexnames(5WN): adj.all, noun.Tops, ...)");
    const int number = static_cast<int>(found - names.begin());
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const Synset &synset : d->synsets) {
        if (synset.lexFile != number)
            continue;
        std::string lemma = lemmaKey(synset.words.front());
        if (seen.insert(lemma).second)
            out.push_back(std::move(lemma));
    }
    return out;
}

size_t WordNet::synsetCount() const
{
    return d->synsets.size();
}

const WordNet::Synset &WordNet::synset(SynsetId id) const
{
    if (id < 0 || static_cast<size_t>(id) >= d->synsets.size())
        throw Error("internal: WordNet synset " + std::to_string(id) + " does not exist");
    return d->synsets[static_cast<size_t>(id)];
}

WordNet::SynsetId WordNet::synsetAt(PartOfSpeech pos, uint32_t offset) const
{
    const auto &byOffset = d->offsets(pos);
    const auto found = byOffset.find(offset);
    return found == byOffset.end() ? kNoSynset : found->second;
}

WordNet::SynsetId WordNet::sense(const std::string &lemma, PartOfSpeech pos, int sense) const
{
    const std::vector<SynsetId> all = synsets(lemma, pos);
    return sense >= 1 && static_cast<size_t>(sense) <= all.size() ? all[static_cast<size_t>(sense) - 1]
                                                                  : kNoSynset;
}

std::vector<WordNet::SynsetId> WordNet::synsets(const std::string &lemma, PartOfSpeech pos) const
{
    const auto &byLemma = d->lemmas(pos);
    const auto exact = byLemma.find(lemmaKey(lemma));
    if (exact != byLemma.end())
        return exact->second;
    const std::string key = cleanedKey(lemma);
    if (key.empty())
        return {};
    const auto &byCleaned = d->cleaned(pos);
    const auto cleaned = byCleaned.find(key);
    if (cleaned != byCleaned.end())
        return cleaned->second;
    const auto &byCompact = d->compact(pos);
    const auto compacted = byCompact.find(compactKey(key));
    return compacted == byCompact.end() ? std::vector<SynsetId>{} : compacted->second;
}

std::string WordNet::baseForm(const std::string &word, PartOfSpeech pos) const
{
    const std::string key = lemmaKey(word);
    if (key.empty())
        return {};
    if (!synsets(key, pos).empty())
        return key;
    const auto &exceptions = pos == PartOfSpeech::Noun ? d->nounExceptions : d->adjectiveExceptions;
    const auto irregular = exceptions.find(key);
    if (irregular != exceptions.end())
        for (const std::string &base : irregular->second)
            if (!synsets(base, pos).empty())
                return base;
    // morphy(7WN)'s detachment rules, in its order.
    static const std::vector<std::pair<std::string, std::string>> nounRules{
        {"s", ""},      {"ses", "s"},   {"xes", "x"},   {"zes", "z"},
        {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}};
    static const std::vector<std::pair<std::string, std::string>> adjectiveRules{
        {"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};
    for (const auto &[suffix, replacement] : pos == PartOfSpeech::Noun ? nounRules : adjectiveRules) {
        if (key.size() <= suffix.size() ||
            key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string candidate = key.substr(0, key.size() - suffix.size()) + replacement;
        if (!synsets(candidate, pos).empty())
            return candidate;
    }
    return {};
}

std::vector<WordNet::SynsetId> WordNet::targets(SynsetId id, std::string_view symbol, int word) const
{
    std::vector<SynsetId> out;
    for (const Pointer &pointer : synset(id).pointers) {
        if (pointer.symbol != symbol || pointer.target == kNoSynset)
            continue;
        if (word > 0 && pointer.sourceWord != 0 && pointer.sourceWord != word)
            continue;
        if (std::find(out.begin(), out.end(), pointer.target) == out.end())
            out.push_back(pointer.target);
    }
    return out;
}

std::vector<WordNet::SynsetId> WordNet::hypernyms(SynsetId id) const
{
    return targets(id, "@");
}

std::vector<WordNet::SynsetId> WordNet::instanceHypernyms(SynsetId id) const
{
    return targets(id, "@i");
}

std::vector<WordNet::SynsetId> WordNet::hyponyms(SynsetId id) const
{
    return targets(id, "~");
}

std::vector<WordNet::SynsetId> WordNet::instanceHyponyms(SynsetId id) const
{
    return targets(id, "~i");
}

namespace {

/// Breadth-first closure of `start` over pointers whose symbol is `plain` or `instance`.
std::vector<SynsetId> closure(const WordNet &wordNet, SynsetId start, std::string_view plain,
                              std::string_view instance)
{
    std::vector<SynsetId> out;
    std::unordered_set<SynsetId> seen{start};
    std::vector<SynsetId> frontier{start};
    while (!frontier.empty()) {
        std::vector<SynsetId> next;
        for (SynsetId id : frontier)
            for (const WordNet::Pointer &pointer : wordNet.synset(id).pointers)
                if ((pointer.symbol == plain || pointer.symbol == instance) &&
                    pointer.target != WordNet::kNoSynset && seen.insert(pointer.target).second) {
                    out.push_back(pointer.target);
                    next.push_back(pointer.target);
                }
        frontier = std::move(next);
    }
    return out;
}

} // namespace

std::vector<WordNet::SynsetId> WordNet::ancestors(SynsetId id) const
{
    return closure(*this, id, "@", "@i");
}

std::vector<WordNet::SynsetId> WordNet::descendants(SynsetId id) const
{
    return closure(*this, id, "~", "~i");
}

bool WordNet::isInstance(SynsetId id) const
{
    for (const Pointer &pointer : synset(id).pointers)
        if (pointer.symbol == "@i")
            return true;
    return false;
}

bool WordNet::isTaxonomicName(SynsetId id) const
{
    if (d->taxonomicGroup == kNoSynset || synset(id).type != 'n')
        return false;
    const std::vector<SynsetId> above = ancestors(id);
    return std::find(above.begin(), above.end(), d->taxonomicGroup) != above.end();
}

int WordNet::wordNumber(SynsetId id, const std::string &lemma) const
{
    const Synset &s = synset(id);
    const std::string key = lemmaKey(lemma);
    for (size_t i = 0; i < s.words.size(); ++i)
        if (lemmaKey(s.words[i]) == key)
            return static_cast<int>(i) + 1;
    const std::string cleaned = cleanedKey(lemma);
    for (size_t i = 0; i < s.words.size(); ++i)
        if (cleanedKey(s.words[i]) == cleaned)
            return static_cast<int>(i) + 1;
    return 0;
}

std::string WordNet::lemmaKey(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    bool pendingSpace = false;
    for (const char raw : text) {
        const char c = raw == '_' ? ' ' : raw;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace)
            out.push_back(' ');
        pendingSpace = false;
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

std::string WordNet::cleanedKey(std::string_view text)
{
    std::string kept;
    for (const char c : lemmaKey(text))
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '-' || c == ' ')
            kept.push_back(c);
    return lemmaKey(kept);
}

} // namespace ood

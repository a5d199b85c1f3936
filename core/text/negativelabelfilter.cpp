#include "text/negativelabelfilter.h"

#include "base/error.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace ood {

namespace {

using SynsetId = WordNet::SynsetId;

std::vector<std::string> splitWords(const std::string &text)
{
    std::vector<std::string> words;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find(' ', start);
        if (end == std::string::npos)
            end = text.size();
        if (end > start)
            words.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return words;
}

std::string joinWords(const std::vector<std::string> &words, size_t from, size_t to)
{
    std::string out;
    for (size_t i = from; i < to; ++i)
        out += (i > from ? " " : "") + words[i];
    return out;
}

/// A name of a unique entity, as WordNet writes it: its first word and every other word but
/// the particles start with a capital ("Large_Magellanic_Cloud", "Order_of_the_Purple_Heart",
/// "Pawnee"). "American_holly" and "Fermi-Dirac_statistics" are capitalised only in a modifier.
bool isCapitalisedName(const std::string &word)
{
    static const std::unordered_set<std::string> particles{
        "of", "the", "and", "de", "du", "des", "la", "le", "les", "von", "van", "der", "den", "di",
        "da", "del", "in",  "on", "y",  "e",   "et", "al", "el",  "for", "to",  "a",   "an",  "with"};
    std::vector<std::string> tokens;
    std::string token;
    for (const char c : word + "_") {
        if (c == '_' || c == ' ') {
            if (!token.empty() && std::isalpha(static_cast<unsigned char>(token.front())))
                tokens.push_back(token);
            token.clear();
        } else {
            token.push_back(c);
        }
    }
    if (tokens.empty() || !std::isupper(static_cast<unsigned char>(tokens.front().front())))
        return false;
    for (const std::string &t : tokens)
        if (!std::isupper(static_cast<unsigned char>(t.front())) && !particles.count(WordNet::lemmaKey(t)))
            return false;
    return true;
}

} // namespace

const char *verdictName(NegativeLabelVerdict verdict)
{
    switch (verdict) {
    case NegativeLabelVerdict::Kept:
        return "kept";
    case NegativeLabelVerdict::ProperNoun:
        return "proper noun";
    case NegativeLabelVerdict::TaxonomicName:
        return "taxonomic name";
    case NegativeLabelVerdict::IdenticalToIdClass:
        return "identical to an ID class";
    case NegativeLabelVerdict::SubcategoryOfIdClass:
        return "subcategory of an ID class";
    case NegativeLabelVerdict::PertainsToIdClass:
        return "pertains to an ID class";
    }
    return "unknown";
}

NegativeLabelFilter::NegativeLabelFilter(const WordNet &wordNet, std::vector<std::string> idClassNames)
    : NegativeLabelFilter(wordNet, std::move(idClassNames), Options())
{
}

NegativeLabelFilter::NegativeLabelFilter(const WordNet &wordNet, std::vector<std::string> idClassNames,
                                         Options options)
    : m_wordNet(&wordNet), m_classNames(std::move(idClassNames)), m_options(options)
{
    for (const std::string &pattern : cspAdjectiveTemplates()) {
        const size_t at = pattern.find("{} ");
        if (at != std::string::npos)
            m_cspSuffixes.push_back(WordNet::lemmaKey(pattern.substr(at + 3)));
    }
    for (size_t c = 0; c < m_classNames.size(); ++c) {
        m_classKeys.push_back(WordNet::cleanedKey(m_classNames[c]));
        m_classSynsets.push_back(resolveClassName(m_classNames[c]));
        for (SynsetId id : m_classSynsets.back()) {
            auto &classes = m_classesOfSynset[id];
            if (classes.empty() || classes.back() != c)
                classes.push_back(c);
        }
    }
}

const std::vector<WordNet::SynsetId> &NegativeLabelFilter::idClassSynsets(size_t classIndex) const
{
    if (classIndex >= m_classSynsets.size())
        throw Error("internal: ID class " + std::to_string(classIndex) + " of " +
                    std::to_string(m_classSynsets.size()));
    return m_classSynsets[classIndex];
}

std::vector<WordNet::SynsetId> NegativeLabelFilter::resolvePhrase(const std::string &phrase) const
{
    const WordNet &wn = *m_wordNet;
    const std::string key = WordNet::lemmaKey(phrase);
    if (key.empty())
        return {};
    auto senses = [&](const std::string &text) {
        std::vector<SynsetId> found = wn.synsets(text, PartOfSpeech::Noun);
        if (found.empty()) {
            const std::string base = wn.baseForm(text, PartOfSpeech::Noun);
            if (!base.empty())
                found = wn.synsets(base, PartOfSpeech::Noun);
        }
        return found;
    };
    // A class is a kind of thing: a class named "crane" means no poet, unless WordNet knows the
    // name only as a unique entity.
    auto withoutInstances = [&](std::vector<SynsetId> found) {
        std::vector<SynsetId> common;
        for (SynsetId id : found)
            if (!wn.isInstance(id))
                common.push_back(id);
        return common.empty() ? found : common;
    };
    if (std::vector<SynsetId> whole = senses(key); !whole.empty())
        return withoutInstances(std::move(whole));
    const std::vector<std::string> words = splitWords(key);
    if (words.size() < 2)
        return {};
    // "velvet fabric": the senses of the modifier that are the head's kind of thing.
    const std::vector<SynsetId> head = senses(words.back());
    const std::vector<SynsetId> modifier = senses(joinWords(words, 0, words.size() - 1));
    std::vector<SynsetId> qualified;
    for (SynsetId id : modifier) {
        const std::vector<SynsetId> above = wn.ancestors(id);
        if (std::any_of(head.begin(), head.end(),
                        [&](SynsetId h) { return std::find(above.begin(), above.end(), h) != above.end(); }))
            qualified.push_back(id);
    }
    if (!qualified.empty())
        return qualified;
    // "normal cecum", "infant bed": the longest tail WordNet knows, in its most frequent common
    // sense; a modifier WordNet cannot place says nothing about which sense is meant.
    for (size_t from = 1; from < words.size(); ++from) {
        const std::vector<SynsetId> tail = withoutInstances(senses(joinWords(words, from, words.size())));
        if (!tail.empty())
            return {tail.front()};
    }
    return {};
}

std::vector<WordNet::SynsetId> NegativeLabelFilter::resolveClassName(const std::string &name) const
{
    std::string outside, hint;
    int depth = 0;
    for (const char c : name) {
        if (c == '(')
            ++depth;
        else if (c == ')')
            depth = std::max(0, depth - 1);
        else
            (depth > 0 ? hint : outside).push_back(depth > 0 || c != '/' ? c : '\n');
    }
    std::vector<SynsetId> resolved;
    size_t start = 0;
    while (start <= outside.size()) {
        size_t end = outside.find('\n', start);
        if (end == std::string::npos)
            end = outside.size();
        for (SynsetId id : resolvePhrase(outside.substr(start, end - start)))
            if (std::find(resolved.begin(), resolved.end(), id) == resolved.end())
                resolved.push_back(id);
        start = end + 1;
    }
    if (WordNet::lemmaKey(hint).empty())
        return resolved;
    const std::vector<SynsetId> hinted = resolvePhrase(hint);
    if (resolved.empty())
        return hinted;
    std::vector<SynsetId> narrowed;
    for (SynsetId id : resolved) {
        std::vector<SynsetId> self = m_wordNet->ancestors(id);
        self.push_back(id);
        if (std::any_of(hinted.begin(), hinted.end(),
                        [&](SynsetId h) { return std::find(self.begin(), self.end(), h) != self.end(); }))
            narrowed.push_back(id);
    }
    return narrowed.empty() ? resolved : narrowed;
}

long NegativeLabelFilter::classOfSynset(WordNet::SynsetId synset, const std::vector<bool> &compared) const
{
    const auto found = m_classesOfSynset.find(synset);
    if (found == m_classesOfSynset.end())
        return -1;
    for (size_t c : found->second)
        if (compared[c])
            return static_cast<long>(c);
    return -1;
}

long NegativeLabelFilter::classWithText(const std::string &cleanedText,
                                        const std::vector<bool> &compared) const
{
    if (cleanedText.empty())
        return -1;
    for (size_t c = 0; c < m_classKeys.size(); ++c)
        if (compared[c] && m_classKeys[c] == cleanedText)
            return static_cast<long>(c);
    return -1;
}

std::string NegativeLabelFilter::describe(WordNet::SynsetId synset) const
{
    const auto &words = m_wordNet->synset(synset).words;
    std::string out;
    for (size_t i = 0; i < words.size() && i < 3; ++i)
        out += (i ? ", " : "") + words[i];
    return "{" + out + (words.size() > 3 ? ", ...}" : "}");
}

NegativeLabelDecision NegativeLabelFilter::decideNoun(const std::string &label,
                                                      const std::vector<bool> &compared) const
{
    const WordNet &wn = *m_wordNet;
    const std::vector<SynsetId> senses = wn.synsets(label, PartOfSpeech::Noun);
    NegativeLabelDecision decision;
    if (!senses.empty()) {
        bool common = false, unique = false, taxon = false;
        std::string example;
        for (SynsetId id : senses) {
            const int word = wn.wordNumber(id, label);
            const std::string &written = wn.synset(id).words[static_cast<size_t>(std::max(word, 1) - 1)];
            if (wn.isInstance(id)) {
                unique = true;
                const std::vector<SynsetId> kinds = wn.instanceHypernyms(id);
                if (example.empty())
                    example = describe(id) + " is an instance" +
                              (kinds.empty() ? std::string() : " of " + describe(kinds.front()));
            } else if (wn.isTaxonomicName(id)) {
                taxon = true;
            } else if (isCapitalisedName(written)) {
                unique = true;
                if (example.empty())
                    example = written + " is a name";
            } else {
                common = true;
            }
        }
        if (!common && unique && m_options.properNouns)
            return {false, NegativeLabelVerdict::ProperNoun, {}, "no sense is a common noun; " + example};
        if (!common && taxon && m_options.taxonomicNames)
            return {false, NegativeLabelVerdict::TaxonomicName, {}, describe(senses.front()) + " is a taxon"};
    }
    if (!m_options.idClasses)
        return decision;
    if (const long c = classWithText(WordNet::cleanedKey(label), compared); c >= 0)
        return {false, NegativeLabelVerdict::IdenticalToIdClass, m_classNames[static_cast<size_t>(c)],
                "same text"};
    for (SynsetId id : senses)
        if (const long c = classOfSynset(id, compared); c >= 0)
            return {false, NegativeLabelVerdict::IdenticalToIdClass, m_classNames[static_cast<size_t>(c)],
                    "same synset " + describe(id)};
    for (SynsetId id : senses)
        for (SynsetId above : wn.ancestors(id))
            if (const long c = classOfSynset(above, compared); c >= 0)
                return {false, NegativeLabelVerdict::SubcategoryOfIdClass,
                        m_classNames[static_cast<size_t>(c)], describe(id) + " is under " + describe(above)};
    return decision;
}

NegativeLabelDecision NegativeLabelFilter::decideAdjective(const std::string &label,
                                                           const std::vector<bool> &compared) const
{
    const WordNet &wn = *m_wordNet;
    std::string word = WordNet::lemmaKey(label);
    std::vector<SynsetId> senses = wn.synsets(word, PartOfSpeech::Adjective);
    if (senses.empty()) {
        const std::vector<std::string> words = splitWords(word);
        if (words.size() > 1 &&
            std::find(m_cspSuffixes.begin(), m_cspSuffixes.end(), words.back()) != m_cspSuffixes.end()) {
            word = joinWords(words, 0, words.size() - 1);
            senses = wn.synsets(word, PartOfSpeech::Adjective);
        }
    }
    if (senses.empty()) {
        const std::string base = wn.baseForm(word, PartOfSpeech::Adjective);
        if (!base.empty()) {
            word = base;
            senses = wn.synsets(word, PartOfSpeech::Adjective);
        }
    }
    // The nouns an adjective sense is made from or relates to, from this word of the synset.
    auto relatedNouns = [&](SynsetId id) {
        const int number = wn.wordNumber(id, word);
        std::vector<SynsetId> nouns;
        for (const char *symbol : {"\\", "+"})
            for (SynsetId target : wn.targets(id, symbol, number))
                if (wn.synset(target).type == 'n' &&
                    std::find(nouns.begin(), nouns.end(), target) == nouns.end())
                    nouns.push_back(target);
        return nouns;
    };
    if (!senses.empty() && m_options.properNouns) {
        bool allProper = true;
        std::string example;
        for (SynsetId id : senses) {
            const int number = wn.wordNumber(id, word);
            const std::string &written = wn.synset(id).words[static_cast<size_t>(std::max(number, 1) - 1)];
            if (isCapitalisedName(written)) {
                if (example.empty())
                    example = written + " is a proper adjective";
                continue;
            }
            const std::vector<SynsetId> nouns = relatedNouns(id);
            if (!nouns.empty() &&
                std::all_of(nouns.begin(), nouns.end(), [&](SynsetId n) { return wn.isInstance(n); })) {
                if (example.empty())
                    example = written + " relates to " + describe(nouns.front()) + ", an instance";
                continue;
            }
            allProper = false;
            break;
        }
        if (allProper)
            return {false, NegativeLabelVerdict::ProperNoun, {}, example};
    }
    if (!m_options.idClasses)
        return {};
    if (const long c = classWithText(WordNet::cleanedKey(word), compared); c >= 0)
        return {false, NegativeLabelVerdict::IdenticalToIdClass, m_classNames[static_cast<size_t>(c)],
                "same text"};
    for (SynsetId id : senses)
        for (SynsetId noun : relatedNouns(id)) {
            std::vector<SynsetId> chain{noun};
            const std::vector<SynsetId> above = wn.ancestors(noun);
            chain.insert(chain.end(), above.begin(), above.end());
            for (SynsetId candidate : chain)
                if (const long c = classOfSynset(candidate, compared); c >= 0)
                    return {false, NegativeLabelVerdict::PertainsToIdClass,
                            m_classNames[static_cast<size_t>(c)],
                            word + " relates to " + describe(noun) +
                                (candidate == noun ? std::string() : ", under " + describe(candidate))};
        }
    return {};
}

NegativeLabelDecision NegativeLabelFilter::decide(const std::string &label, PartOfSpeech pos) const
{
    const std::vector<bool> all(m_classNames.size(), true);
    return pos == PartOfSpeech::Noun ? decideNoun(label, all) : decideAdjective(label, all);
}

NegativeLabelDecision NegativeLabelFilter::decide(const std::string &label, PartOfSpeech pos,
                                                  const std::vector<size_t> &idClassIndices) const
{
    std::vector<bool> compared(m_classNames.size(), false);
    for (size_t c : idClassIndices) {
        if (c >= compared.size())
            throw Error("internal: ID class " + std::to_string(c) + " of " + std::to_string(compared.size()));
        compared[c] = true;
    }
    return pos == PartOfSpeech::Noun ? decideNoun(label, compared) : decideAdjective(label, compared);
}

NegativeLabelFilterResult NegativeLabelFilter::filter(const std::vector<std::string> &labels,
                                                      PartOfSpeech pos) const
{
    NegativeLabelFilterResult result;
    for (const std::string &label : labels) {
        NegativeLabelDecision decision = decide(label, pos);
        if (decision.keep)
            result.kept.push_back(label);
        else
            result.removed.push_back({label, std::move(decision)});
    }
    return result;
}

} // namespace ood

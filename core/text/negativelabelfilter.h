#pragma once
// The stand-in for NegRefine's stage 2 (methods.md §11), which asks an LLM to drop a negative
// label that is a proper noun, or identical to or a subcategory of one of the ten ID classes most
// similar to it. We ship no LLM; WordNet's own relations decide instead.
//
// Nouns. A label is looked up as a noun (the whole phrase; NegRefine's cleaned form "tradescants
// aster" finds "Tradescant's_aster"). It is removed as
// - a proper noun when none of its senses is a common noun and at least one names a unique
//   entity: an instance ("paris": the city, the prince of Troy and Paris, Texas are instances,
//   the fourth sense is the genus Paris), or a name every word of which is capitalised in WordNet
//   ("Zoroastrianism", "Pawnee", "Large_Magellanic_Cloud"; "American_holly" or "Klein_bottle",
//   capitalised only in a modifier, are common nouns and stay);
// - a taxonomic name when every sense is a taxon (WordNet::isTaxonomicName: "genus ginkgo",
//   "rosaceae", "pelargonium" as the genus). Measured on NegRefine's ImageNet run the LLM kept
//   most of these (tests/bench/llmagreementbench.cpp); they are removed all the same because a
//   Latin group name is no picture of anything, and Options::taxonomicNames turns it off;
// - identical to an ID class when its text is the class name's, or it shares a synset with the
//   class;
// - a subcategory of an ID class when one of its senses has one of the class's synsets among its
//   hypernyms or instance hypernyms, transitively ("puppy" -> dog; "poodle" -> ... -> dog).
// Otherwise, and when WordNet does not know the label, it is kept.
//
// ID classes. A class name is resolved to noun synsets once:
// - the whole name, all its senses except instances ("dog": the animal, the firedog, the cad ...;
//   a class named "crane" is a kind of thing, not Hart Crane), inflections undone ("polyps");
// - "/" separates alternatives ("product packet / packaging"), each resolved;
// - text in parentheses disambiguates: "ram (adult male sheep)" keeps the senses of "ram" under
//   those of "adult male sheep" (its head "sheep"), when there are any;
// - a name WordNet lacks as a whole: the modifier's senses that lie under the last word's
//   ("velvet fabric" -> velvet, the fabric; "Granny Smith apple"), else the longest tail WordNet
//   knows, in its most frequent sense only ("normal cecum" -> cecum, "African wild dog" ->
//   wild dog, "infant bed" -> bed, the furniture, not the flower bed or the sea bed).
//
// Adjectives. NegRefine's adjective labels carry a CSP suffix ("gooey landscape"): when the whole
// label is no WordNet adjective and its last word is a CSP suffix noun, the suffix is dropped.
// The adjective is removed as
// - a proper noun (a proper adjective) when each of its senses is capitalised in WordNet
//   ("Parisian", "Byzantine") or points, as a pertainym or derived form, only at instances;
// - identical to an ID class when its text is a class name's ("orange" for the class "orange");
// - pertaining to an ID class when its pertainym ("\") or derivationally related ("+") nouns,
//   from this word, are a class's synsets or lie under them.
// Pertainyms are not removed as such: NegRefine's candidates already leave adj.pert out, and a
// relational adjective that relates to no ID class is a fine negative.
//
// NegRefine compares a label with its ten most similar ID classes only; the text embeddings that
// choose them are not here. decide() compares with every class, or with the classes the caller
// chose. The WordNet must outlive the filter.

#include "text/prompttemplates.h"
#include "text/wordnet.h"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace ood {

enum class NegativeLabelVerdict {
    Kept,
    ProperNoun,
    TaxonomicName,
    IdenticalToIdClass,
    SubcategoryOfIdClass,
    PertainsToIdClass,
};

/// "proper noun", "taxonomic name", "identical to an ID class", ... ("kept" for Kept).
const char *verdictName(NegativeLabelVerdict verdict);

struct NegativeLabelDecision
{
    bool keep = true;
    NegativeLabelVerdict verdict = NegativeLabelVerdict::Kept;
    std::string idClass; ///< the ID class concerned, for the last three verdicts
    std::string detail;  ///< why, in WordNet's words ("puppy -> dog, domestic_dog, Canis_familiaris")
};

struct NegativeLabelRemoval
{
    std::string label;
    NegativeLabelDecision decision;
};

struct NegativeLabelFilterResult
{
    std::vector<std::string> kept; ///< in input order
    std::vector<NegativeLabelRemoval> removed;
};

class NegativeLabelFilter
{
  public:
    struct Options
    {
        bool properNouns = true;
        bool taxonomicNames = true;
        bool idClasses = true; ///< identical to, subcategory of, pertaining to an ID class
    };

    NegativeLabelFilter(const WordNet &wordNet, std::vector<std::string> idClassNames);
    NegativeLabelFilter(const WordNet &wordNet, std::vector<std::string> idClassNames, Options options);

    /// The decision on one label of part of speech `pos`, compared with every ID class.
    NegativeLabelDecision decide(const std::string &label, PartOfSpeech pos) const;
    /// ... compared with the ID classes at `idClassIndices` only (NegRefine: the ten most similar).
    NegativeLabelDecision decide(const std::string &label, PartOfSpeech pos,
                                 const std::vector<size_t> &idClassIndices) const;

    /// decide() on each label, split into kept and removed.
    NegativeLabelFilterResult filter(const std::vector<std::string> &labels, PartOfSpeech pos) const;

    const std::vector<std::string> &idClassNames() const { return m_classNames; }
    /// The noun synsets an ID class name resolved to (empty: WordNet does not know it, and only
    /// the text comparison applies to it).
    const std::vector<WordNet::SynsetId> &idClassSynsets(size_t classIndex) const;

  private:
    NegativeLabelDecision decideNoun(const std::string &label, const std::vector<bool> &compared) const;
    NegativeLabelDecision decideAdjective(const std::string &label, const std::vector<bool> &compared) const;
    /// The first compared class with `synset` among its synsets, or -1.
    long classOfSynset(WordNet::SynsetId synset, const std::vector<bool> &compared) const;
    long classWithText(const std::string &cleanedText, const std::vector<bool> &compared) const;
    std::vector<WordNet::SynsetId> resolveClassName(const std::string &name) const;
    std::vector<WordNet::SynsetId> resolvePhrase(const std::string &phrase) const;
    std::string describe(WordNet::SynsetId synset) const;

    const WordNet *m_wordNet;
    std::vector<std::string> m_classNames;
    std::vector<std::string> m_classKeys; ///< WordNet::cleanedKey of each class name
    Options m_options;
    std::vector<std::vector<WordNet::SynsetId>> m_classSynsets;
    /// synset -> the classes that resolved to it, ascending.
    std::unordered_map<WordNet::SynsetId, std::vector<size_t>> m_classesOfSynset;
    std::vector<std::string> m_cspSuffixes;
};

} // namespace ood

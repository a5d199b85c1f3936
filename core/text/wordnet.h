#pragma once
// Princeton WordNet 3.0 as Debian's wordnet-base installs it (/usr/share/wordnet): the noun and
// adjective synsets of data.noun and data.adj (wndb(5WN)), their pointers, and the sense order of
// index.noun and index.adj. It serves two things: the word lists NegLabel and NegRefine mine
// negative labels from (one list per lexicographer file, lexnames(5WN)), and the relations the
// negative-label filter (negativelabelfilter.h) uses in place of NegRefine's LLM.
//
// The reference word lists (NegRefine's txtfiles/) are lower-case, with spaces between words, one
// entry per distinct first lemma, in the order of a Python set (so in no reproducible order), and
// have no noun.animal and no noun.food. They were apparently made from WordNet 3.1's lexicographer
// sources rather than 3.0's database: they have 3.1's additions and corrections ("malware", the
// Malaysian states, "mount rainier national park" for 3.0's "ranier"), lexicographer-file syntax
// left in ("r-2\"", "[alveolate", "edward1"), and lack about 1,050 adjectives of adj.all, nearly
// all cluster heads. firstLemmas() gives the same form from 3.0, in data-file order;
// tests/core/wordnettest.cpp measures the agreement per file: 97.9-100% of each reference file's
// entries are ours (99.3% of adj.all).
//
// Verbs and adverbs are not loaded: pointers to them keep their offset, with no target synset.

#include "text/prompttemplates.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ood {

class WordNet
{
  public:
    /// Position of a synset in synsets(); stable for the life of the WordNet.
    using SynsetId = int32_t;
    static constexpr SynsetId kNoSynset = -1;

    struct Pointer
    {
        std::string symbol;          ///< "@", "@i", "~", "~i", "\\", "+", "#m", ... (wndb(5WN))
        char pos = 'n';              ///< target's part of speech as written: n, v, a, s, r
        uint32_t offset = 0;         ///< target's byte offset in its data file
        int sourceWord = 0;          ///< 1-based word of this synset; 0: the pointer is semantic (all words)
        int targetWord = 0;          ///< 1-based word of the target; 0: semantic
        SynsetId target = kNoSynset; ///< kNoSynset when the target is a verb or adverb (not loaded)
    };

    struct Synset
    {
        uint32_t offset = 0;
        int lexFile = 0; ///< lexicographer file number (lexnames(5WN)): 3 noun.Tops ... 44 adj.ppl
        char type = 'n'; ///< n, a, or s (adjective satellite)
        /// The words as written in the data file (case kept, `_` between words), without the
        /// adjective position markers "(a)", "(p)", "(ip)".
        std::vector<std::string> words;
        std::vector<Pointer> pointers;
        std::string gloss;

        PartOfSpeech partOfSpeech() const
        {
            return type == 'n' ? PartOfSpeech::Noun : PartOfSpeech::Adjective;
        }
    };

    /// Reads data.noun and data.adj from `directory` (both required), index.noun and index.adj for
    /// the sense order and noun.exc and adj.exc for irregular forms (each optional: without an
    /// index file a lemma's senses come in data-file order, without an exception list only the
    /// regular suffix rules apply). Throws ood::Error naming the directory or the file and line.
    static WordNet load(const std::string &directory = "/usr/share/wordnet");

    WordNet(WordNet &&) noexcept;
    WordNet &operator=(WordNet &&) noexcept;
    ~WordNet();

    /// The 45 lexicographer file names of WordNet 3.0, by file number (lexnames(5WN)).
    static const std::vector<std::string> &lexicographerFileNames();

    /// Lexicographer files that have at least one loaded synset (nouns and adjectives), in file
    /// number order: adj.all, adj.pert, noun.Tops, ..., noun.time, adj.ppl.
    std::vector<std::string> lexFileNames() const;

    /// The word list of one lexicographer file as NegLabel's txtfiles have it: the first lemma of
    /// each synset, lower-case, a space between words, each distinct lemma once (where it first
    /// occurs), in data-file order. Throws ood::Error for an unknown file name; empty for a known
    /// file with no loaded synset (a verb file).
    std::vector<std::string> firstLemmas(const std::string &lexFile) const;

    size_t synsetCount() const;
    const Synset &synset(SynsetId id) const;
    /// The synset at `offset` of the data file of `pos`; kNoSynset when there is none.
    SynsetId synsetAt(PartOfSpeech pos, uint32_t offset) const;
    /// The synset of `pos` whose words include `lemma` (lemmaKey form) and that is its `sense`-th
    /// sense (1-based, index file order); kNoSynset when there is none.
    SynsetId sense(const std::string &lemma, PartOfSpeech pos, int sense = 1) const;

    /// All synsets of `pos` that have `lemma` as one of their words, most frequent sense first
    /// (index file order). `lemma` is matched case-insensitively with spaces or `_` between words;
    /// when that finds nothing, the cleanedKey() forms are compared ("tradescants aster" finds
    /// "Tradescant's_aster"), then those forms without spaces and hyphens ("coffeemaker" finds
    /// "coffee_maker").
    std::vector<SynsetId> synsets(const std::string &lemma, PartOfSpeech pos) const;

    /// The lemma under which `word` (an inflected form such as "geese" or "boxes") is in WordNet:
    /// `word` itself when it is, else the first of the exception list's and morphy's suffix rules'
    /// candidates (morphy(7WN)) that is; empty when none is.
    std::string baseForm(const std::string &word, PartOfSpeech pos) const;

    /// Targets of the pointers of `id` with `symbol`. With `word` (1-based, a word of `id`) only
    /// the semantic pointers and the lexical pointers from that word; verbs and adverbs left out.
    std::vector<SynsetId> targets(SynsetId id, std::string_view symbol, int word = 0) const;
    std::vector<SynsetId> hypernyms(SynsetId id) const;         ///< "@"
    std::vector<SynsetId> instanceHypernyms(SynsetId id) const; ///< "@i"
    std::vector<SynsetId> hyponyms(SynsetId id) const;          ///< "~"
    std::vector<SynsetId> instanceHyponyms(SynsetId id) const;  ///< "~i"
    /// Every synset above `id` through hypernyms and instance hypernyms, nearest first, each once,
    /// `id` itself not included.
    std::vector<SynsetId> ancestors(SynsetId id) const;
    /// Every synset below `id` through hyponyms and instance hyponyms, each once, `id` not included.
    std::vector<SynsetId> descendants(SynsetId id) const;

    /// An instance is a unique entity (a city, a river, a person, a war): it has an "@i" pointer.
    bool isInstance(SynsetId id) const;
    /// A taxonomic name (a genus, family, order, phylum ...): its hypernyms reach the noun synset
    /// {taxonomic_group, taxonomic_category, taxon}. In WordNet 3.0 the ranks (genus, family,
    /// order, class, ...) are hyponyms of it, and every named taxon is a hyponym of a rank
    /// ("genus Ginkgo" -> gymnosperm genus -> genus -> taxonomic group); the organisms themselves
    /// ("ginkgo", the tree) are not.
    bool isTaxonomicName(SynsetId id) const;
    /// 1-based number of the word of `id` whose lemmaKey (or cleanedKey) is that of `lemma`; 0 when none.
    int wordNumber(SynsetId id, const std::string &lemma) const;

    /// "Tradescant's_aster" -> "tradescant's aster": lower-case ASCII, `_` as a space, runs of
    /// spaces as one, trimmed.
    static std::string lemmaKey(std::string_view text);
    /// lemmaKey() with only letters, '-' and spaces kept ("tradescants aster"): NegRefine's
    /// `_clean_words` keeps those, so its labels are compared in this form.
    static std::string cleanedKey(std::string_view text);

  private:
    WordNet();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ood

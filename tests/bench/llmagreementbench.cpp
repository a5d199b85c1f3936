// How close the WordNet negative-label filter comes to NegRefine's LLM filter (docs: the table
// this prints, as markdown). Usage:
//   llm-agreement-bench [NegRefine output folder = <shared>/reference/negrefine/imagenet-seed0]
//                       [WordNet directory = /usr/share/wordnet]
// The candidates are the labels the LLM judged (llm_process_{noun,adj}.txt); the ID classes are
// those its log names (llmagreement.h says why not all 1000).

#include "bench/llmagreement.h"

#include "text/negativelabelfilter.h"
#include "text/wordnet.h"

#include <chrono>
#include <cstdio>
#include <exception>

namespace {

#ifdef OOD_SHARED_DIR
constexpr const char *kDefaultReference = OOD_SHARED_DIR "/reference/negrefine/imagenet-seed0";
#else
constexpr const char *kDefaultReference = "../shared/reference/negrefine/imagenet-seed0";
#endif

void printRow(const char *what, const ood::bench::Agreement &a)
{
    std::printf("| %s | %zu | %zu | %zu | %zu | %zu | %zu | %.1f%% | %.1f%% |\n", what, a.labels,
                a.llmRemoved, a.filterRemoved, a.both, a.llmOnly, a.filterOnly, 100.0 * a.agreementRate(),
                100.0 * a.recall());
}

void printCrossTable(const char *what, const ood::bench::Agreement &a)
{
    std::printf("\n%s: WordNet verdict x LLM verdict\n\n| WordNet filter | LLM | labels |\n|---|---|---:|\n",
                what);
    for (const auto &[key, count] : a.crossTable)
        std::printf("| %s | %s | %zu |\n", key.first.c_str(), key.second.c_str(), count);
}

} // namespace

int main(int argc, char **argv)
{
    using namespace ood;
    using namespace ood::bench;
    try {
        const std::string reference = argc > 1 ? argv[1] : kDefaultReference;
        const std::string wordNetDir = argc > 2 ? argv[2] : "/usr/share/wordnet";
        const auto start = std::chrono::steady_clock::now();
        const WordNet wordNet = WordNet::load(wordNetDir);
        const double loadSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::vector<LlmDecision> nouns = readLlmLog(reference + "/llm_process_noun.txt");
        const std::vector<LlmDecision> adjectives = readLlmLog(reference + "/llm_process_adj.txt");
        const std::vector<std::string> classes = idClassesNamedIn({nouns, adjectives});
        const NegativeLabelFilter filter(wordNet, classes);
        NegativeLabelFilter::Options noTaxa;
        noTaxa.taxonomicNames = false;
        const NegativeLabelFilter filterWithoutTaxa(wordNet, classes, noTaxa);
        std::string unresolvedNames;
        size_t unresolved = 0;
        for (size_t i = 0; i < classes.size(); ++i)
            if (filter.idClassSynsets(i).empty()) {
                unresolvedNames += (unresolved++ ? ", " : "") + classes[i];
            }

        std::printf("WordNet %s: %zu noun and adjective synsets, loaded in %.2f s\n", wordNetDir.c_str(),
                    wordNet.synsetCount(), loadSeconds);
        std::printf(
            "ID classes named in the LLM logs: %zu of ImageNet's 1000 (%zu not found in WordNet: %s)\n\n",
            classes.size(), unresolved, unresolvedNames.c_str());
        std::printf(
            "| labels (ID classes compared) | candidates | LLM removed | WordNet removed | both | LLM only | "
            "WordNet only | agreement | LLM removals caught |\n");
        std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        const auto decideStart = std::chrono::steady_clock::now();
        const Agreement nounsAll = measureAgreement(nouns, filter, PartOfSpeech::Noun, false);
        const Agreement nounsTop = measureAgreement(nouns, filter, PartOfSpeech::Noun, true);
        const Agreement nounsNoTaxa = measureAgreement(nouns, filterWithoutTaxa, PartOfSpeech::Noun, false);
        const Agreement adjectivesAll = measureAgreement(adjectives, filter, PartOfSpeech::Adjective, false);
        const Agreement adjectivesTop = measureAgreement(adjectives, filter, PartOfSpeech::Adjective, true);
        const double decideSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - decideStart).count();
        printRow("nouns (all classes)", nounsAll);
        printRow("nouns (the LLM's 10 per label)", nounsTop);
        printRow("nouns, taxonomic names kept (all classes)", nounsNoTaxa);
        printRow("adjectives (all classes)", adjectivesAll);
        printRow("adjectives (the LLM's 10 per label)", adjectivesTop);
        printCrossTable("Nouns, all classes", nounsAll);
        printCrossTable("Adjectives, all classes", adjectivesAll);
        std::printf("\n%zu decisions in %.2f s\n", nounsAll.labels * 3 + adjectivesAll.labels * 2,
                    decideSeconds);
        return 0;
    } catch (const std::exception &error) {
        std::fprintf(stderr, "llm-agreement-bench: %s\n", error.what());
        return 1;
    }
}

#pragma once
// How close the WordNet filter (text/negativelabelfilter.h) comes to NegRefine's LLM filter, on
// NegRefine's published ImageNet run (shared/reference/negrefine/imagenet-seed0/). Shared by the
// bench (llmagreementbench.cpp) and the test (tests/core/negativelabelfiltertest.cpp).
//
// llm_process_{noun,adj}.txt has one line per LLM decision, in the order they were taken:
//   "<label> | proper noun "                 the label was dropped as a proper noun;
//   "<label> | <ID class> | "                compared with that class, not a subcategory;
//   "<label> | <ID class> | subcategory "    dropped as a subcategory of that class;
//   "<label> | <ID class> | the same "       dropped as identical to it;
// then a line of dashes and the counts. The labels are NegRefine's cleaned ones (letters, '-',
// spaces), the input of the LLM. The ID classes are NegRefine's ImageNet-1k names, which the
// reference folder does not have: the classes named in the second column (the ten most similar to
// some label) are what can be known of them.

#include "text/negativelabelfilter.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ood::bench {

enum class LlmVerdict { Kept, ProperNoun, Identical, Subcategory };

struct LlmDecision
{
    std::string label;
    LlmVerdict verdict = LlmVerdict::Kept;
    std::string idClass;               ///< for Identical and Subcategory
    std::vector<std::string> compared; ///< the ID classes the LLM was asked about, in order
};

inline std::string trimmed(const std::string &text)
{
    const size_t first = text.find_first_not_of(" \r\t");
    if (first == std::string::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \r\t") - first + 1);
}

/// The decisions of one llm_process file, one per label, in the order of the labels' first line.
inline std::vector<LlmDecision> readLlmLog(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::vector<LlmDecision> decisions;
    std::map<std::string, size_t> position;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.rfind("-----", 0) == 0)
            break;
        std::vector<std::string> fields;
        size_t start = 0;
        while (true) {
            const size_t bar = line.find(" | ", start);
            fields.push_back(
                trimmed(line.substr(start, bar == std::string::npos ? std::string::npos : bar - start)));
            if (bar == std::string::npos)
                break;
            start = bar + 3;
        }
        if (fields.size() < 2 || fields.size() > 3 || fields[0].empty())
            throw std::runtime_error(path + ", line " + std::to_string(number) + ": not 'label | ...'");
        auto [at, added] = position.emplace(fields[0], decisions.size());
        if (added)
            decisions.push_back({fields[0], LlmVerdict::Kept, {}, {}});
        LlmDecision &decision = decisions[at->second];
        if (fields.size() == 2) {
            if (fields[1] != "proper noun")
                throw std::runtime_error(path + ", line " + std::to_string(number) + ": unknown verdict");
            decision.verdict = LlmVerdict::ProperNoun;
            continue;
        }
        decision.compared.push_back(fields[1]);
        if (fields[2] == "subcategory") {
            decision.verdict = LlmVerdict::Subcategory;
            decision.idClass = fields[1];
        } else if (fields[2] == "the same") {
            decision.verdict = LlmVerdict::Identical;
            decision.idClass = fields[1];
        } else if (!fields[2].empty()) {
            throw std::runtime_error(path + ", line " + std::to_string(number) + ": unknown verdict");
        }
    }
    return decisions;
}

/// The ID class names that appear in the logs' second column, sorted.
inline std::vector<std::string> idClassesNamedIn(const std::vector<std::vector<LlmDecision>> &logs)
{
    std::set<std::string> names;
    for (const auto &log : logs)
        for (const LlmDecision &decision : log)
            names.insert(decision.compared.begin(), decision.compared.end());
    return {names.begin(), names.end()};
}

struct Agreement
{
    size_t labels = 0, llmRemoved = 0, filterRemoved = 0, both = 0, llmOnly = 0, filterOnly = 0;
    /// (filter verdict, LLM verdict) -> labels
    std::map<std::pair<std::string, std::string>, size_t> crossTable;

    double agreementRate() const
    {
        return labels ? double(labels - llmOnly - filterOnly) / double(labels) : 0.0;
    }
    /// Share of the LLM's removals that the filter removes too.
    double recall() const { return llmRemoved ? double(both) / double(llmRemoved) : 0.0; }
};

inline const char *llmVerdictName(LlmVerdict verdict)
{
    switch (verdict) {
    case LlmVerdict::Kept:
        return "kept";
    case LlmVerdict::ProperNoun:
        return "proper noun";
    case LlmVerdict::Identical:
        return "the same";
    case LlmVerdict::Subcategory:
        return "subcategory";
    }
    return "?";
}

/// The filter's decisions on the LLM's labels against the LLM's. With `onlyComparedClasses` the
/// filter compares a label with the classes the LLM compared it with (the ten most similar by
/// CLIP text embedding; a label the LLM dropped as a proper noun was compared with none, and is
/// compared with every class), else with every class of `filter`.
inline Agreement measureAgreement(const std::vector<LlmDecision> &log, const NegativeLabelFilter &filter,
                                  PartOfSpeech pos, bool onlyComparedClasses)
{
    std::map<std::string, size_t> classIndex;
    for (size_t i = 0; i < filter.idClassNames().size(); ++i)
        classIndex.emplace(filter.idClassNames()[i], i);
    Agreement out;
    for (const LlmDecision &llm : log) {
        NegativeLabelDecision ours;
        if (onlyComparedClasses && llm.verdict != LlmVerdict::ProperNoun) {
            std::vector<size_t> compared;
            for (const std::string &name : llm.compared)
                compared.push_back(classIndex.at(name));
            ours = filter.decide(llm.label, pos, compared);
        } else {
            ours = filter.decide(llm.label, pos);
        }
        const bool llmRemoves = llm.verdict != LlmVerdict::Kept, filterRemoves = !ours.keep;
        ++out.labels;
        out.llmRemoved += llmRemoves;
        out.filterRemoved += filterRemoves;
        out.both += llmRemoves && filterRemoves;
        out.llmOnly += llmRemoves && !filterRemoves;
        out.filterOnly += filterRemoves && !llmRemoves;
        ++out.crossTable[{verdictName(ours.verdict), llmVerdictName(llm.verdict)}];
    }
    return out;
}

} // namespace ood::bench

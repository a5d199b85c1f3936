#include "detect/negativemining.h"

#include "base/error.h"
#include "model/clipbackbone.h"
#include "model/labelembeddings.h"
#include "text/pythonrandom.h"

#include <torch/torch.h>

#include <algorithm>
#include <set>
#include <unordered_set>

namespace ood {

namespace {

const std::string kNegLabelNounTemplate = "the nice {}"; // NegLabel prompt_templates[85]
const std::string kNegLabelAdjectiveTemplate = "This is a {} photo";

std::string withSpaces(std::string word)
{
    std::replace(word.begin(), word.end(), '_', ' ');
    return word;
}

std::string trimmed(const std::string &text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::vector<std::string> positiveTemplates(MiningVariant variant)
{
    return variant == MiningVariant::NegLabel ? std::vector<std::string>{kNegLabelNounTemplate}
                                              : nounTemplates();
}

at::Tensor embed(const ClipBackbone &clip, const std::vector<std::string> &labels,
                 const std::vector<std::string> &templates, const ProgressCallback &progress)
{
    LabelEmbeddingRequest request;
    request.labels = labels;
    request.templates = templates;
    request.modelSha256 = clip.sha256();
    return embedLabels(clip.model(), request, progress);
}

} // namespace

const std::vector<std::string> &negativeLabelLexFiles()
{
    static const std::vector<std::string> files{
        "adj.all",        "adj.pert",       "adj.ppl",         "noun.Tops",      "noun.act",
        "noun.artifact",  "noun.attribute", "noun.body",       "noun.cognition", "noun.communication",
        "noun.event",     "noun.feeling",   "noun.group",      "noun.location",  "noun.motive",
        "noun.object",    "noun.person",    "noun.phenomenon", "noun.plant",     "noun.possession",
        "noun.process",   "noun.quantity",  "noun.relation",   "noun.shape",     "noun.state",
        "noun.substance", "noun.time"};
    return files;
}

const std::vector<std::string> &excludedLexFiles()
{
    static const std::vector<std::string> files{"noun.person", "noun.quantity", "noun.group", "adj.pert"};
    return files;
}

NegativeCandidates negativeCandidates(const std::vector<WordList> &lists, MiningVariant variant,
                                      const std::vector<std::string> &classNames, uint64_t seed)
{
    std::vector<const WordList *> ordered;
    for (const WordList &list : lists)
        ordered.push_back(&list);
    std::sort(ordered.begin(), ordered.end(),
              [](const WordList *a, const WordList *b) { return a->lexFile < b->lexFile; });
    const std::set<std::string> excluded(excludedLexFiles().begin(), excludedLexFiles().end());
    const std::set<std::string> read(negativeLabelLexFiles().begin(), negativeLabelLexFiles().end());
    const std::set<std::string> ids(classNames.begin(), classNames.end());

    NegativeCandidates out;
    std::unordered_set<std::string> seen; // across nouns and adjectives, as both references do
    PythonRandom random(seed);
    for (const WordList *list : ordered) {
        if (excluded.count(list->lexFile) || !read.count(list->lexFile))
            continue;
        const std::string kind = list->lexFile.substr(0, list->lexFile.find('.'));
        if (kind != "noun" && kind != "adj")
            continue;
        for (const std::string &raw : list->words) {
            const std::string word =
                variant == MiningVariant::NegRefine ? trimmed(withSpaces(raw)) : trimmed(raw);
            if (word.empty() || !seen.insert(word).second)
                continue;
            if (kind == "noun") {
                // NegRefine skips nouns equal to an ID label; NegLabel (without pos_topk) does not.
                if (variant == MiningVariant::NegRefine && ids.count(word))
                    continue;
                out.nouns.push_back(word);
            } else if (variant == MiningVariant::NegRefine) {
                out.adjectives.push_back(fillTemplate(random.choice(cspAdjectiveTemplates()), word));
            } else {
                out.adjectives.push_back(word);
            }
        }
    }
    return out;
}

std::vector<std::string> miningTemplates(MiningVariant variant, PartOfSpeech pos)
{
    if (variant == MiningVariant::NegLabel)
        return {pos == PartOfSpeech::Noun ? kNegLabelNounTemplate : kNegLabelAdjectiveTemplate};
    return templatesFor(pos);
}

at::Tensor candidateSimilarity(const at::Tensor &cosines, double quantile, bool excludeNearSynonyms)
{
    const at::Tensor c = cosines.to(torch::kFloat32);
    at::Tensor similarity = torch::quantile(c, quantile, 1);
    if (excludeNearSynonyms) {
        const at::Tensor maximum = std::get<0>(c.max(1));
        similarity = torch::where(maximum > 0.95, torch::ones_like(similarity), similarity);
    }
    return similarity;
}

std::vector<int64_t> lowestShare(const at::Tensor &similarity, double share)
{
    const int64_t count = similarity.numel();
    const auto keep = static_cast<int64_t>(static_cast<double>(count) * share);
    const at::Tensor order = std::get<1>(similarity.sort(/*stable=*/true, 0, false));
    std::vector<int64_t> out(static_cast<size_t>(keep));
    const at::Tensor first = order.slice(0, 0, keep).contiguous();
    std::copy(first.data_ptr<int64_t>(), first.data_ptr<int64_t>() + keep, out.begin());
    return out;
}

MinedNegatives mineNegatives(const ClipBackbone &clip, const NegativeCandidates &candidates,
                             const MiningSettings &settings, const ProgressCallback &progress)
{
    if (candidates.nouns.empty() && candidates.adjectives.empty())
        throw Error("no candidate negative labels: the WordNet lists are empty");
    const bool negRefine = settings.variant == MiningVariant::NegRefine;
    const at::Tensor positives = embed(clip, clip.classNames(), positiveTemplates(settings.variant), {});
    MinedNegatives out;
    out.nounCandidates = static_cast<int64_t>(candidates.nouns.size());
    out.adjectiveCandidates = static_cast<int64_t>(candidates.adjectives.size());
    std::vector<at::Tensor> selected;
    for (PartOfSpeech pos : {PartOfSpeech::Noun, PartOfSpeech::Adjective}) {
        const std::vector<std::string> &labels =
            pos == PartOfSpeech::Noun ? candidates.nouns : candidates.adjectives;
        if (labels.empty())
            continue;
        const at::Tensor embeddings = embed(clip, labels, miningTemplates(settings.variant, pos), progress);
        const at::Tensor similarity =
            candidateSimilarity(torch::matmul(embeddings, positives.t()), negRefine ? 1.0 : 0.95, negRefine);
        const std::vector<int64_t> keep = lowestShare(similarity, settings.share);
        std::vector<std::string> &target = pos == PartOfSpeech::Noun ? out.nouns : out.adjectives;
        for (int64_t index : keep)
            target.push_back(labels[static_cast<size_t>(index)]);
        selected.push_back(embeddings.index_select(0, torch::tensor(keep, torch::kInt64)));
    }
    out.embeddings = torch::cat(selected).contiguous();
    return out;
}

MinedNegatives embedNegatives(const ClipBackbone &clip, std::vector<std::string> nouns,
                              std::vector<std::string> adjectives, MiningVariant variant,
                              const ProgressCallback &progress)
{
    MinedNegatives out;
    out.nouns = std::move(nouns);
    out.adjectives = std::move(adjectives);
    if (out.nouns.empty() && out.adjectives.empty())
        throw Error("the negative-label list is empty");
    std::vector<at::Tensor> parts;
    if (!out.nouns.empty())
        parts.push_back(embed(clip, out.nouns, miningTemplates(variant, PartOfSpeech::Noun), progress));
    if (!out.adjectives.empty())
        parts.push_back(
            embed(clip, out.adjectives, miningTemplates(variant, PartOfSpeech::Adjective), progress));
    out.embeddings = torch::cat(parts).contiguous();
    out.nounCandidates = static_cast<int64_t>(out.nouns.size());
    out.adjectiveCandidates = static_cast<int64_t>(out.adjectives.size());
    return out;
}

} // namespace ood

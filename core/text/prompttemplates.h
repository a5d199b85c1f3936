#pragma once
// The prompt templates of the zero-shot detectors (methods.md §11; NegRefine `src/class_names.py`,
// CSP configs). A label is embedded with every template of its part of speech; the raw embeddings
// are averaged, then L2-normalised.

#include <string>
#include <vector>

namespace ood {

enum class PartOfSpeech { Noun, Adjective };

/// The 8 noun templates ("a close-up photo of the nice {}.", ..., "the nice {}").
const std::vector<std::string> &nounTemplates();
/// The 4 adjective templates ("{}", "a nice photo of {}", ...).
const std::vector<std::string> &adjectiveTemplates();
const std::vector<std::string> &templatesFor(PartOfSpeech pos);
/// The 14 CSP suffix templates ("{} environment", ..., "{} creature") an adjective is wrapped in
/// before NegRefine's stage 1 compares it with the ID labels.
const std::vector<std::string> &cspAdjectiveTemplates();

/// `pattern` with its one "{}" replaced by `label`.
std::string fillTemplate(const std::string &pattern, const std::string &label);

} // namespace ood

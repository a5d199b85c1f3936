#include "text/prompttemplates.h"

namespace ood {

const std::vector<std::string> &nounTemplates()
{
    static const std::vector<std::string> templates{"a close-up photo of the nice {}.",
                                                    "a photo with the nice {}.",
                                                    "a good photo with the nice {}.",
                                                    "a photo of the nice {}.",
                                                    "{}",
                                                    "the {}",
                                                    "the good {}",
                                                    "the nice {}"};
    return templates;
}

const std::vector<std::string> &adjectiveTemplates()
{
    static const std::vector<std::string> templates{"{}", "a nice photo of {}", "a good photo of {}",
                                                    "a close-up photo of {}"};
    return templates;
}

const std::vector<std::string> &templatesFor(PartOfSpeech pos)
{
    return pos == PartOfSpeech::Noun ? nounTemplates() : adjectiveTemplates();
}

const std::vector<std::string> &cspAdjectiveTemplates()
{
    static const std::vector<std::string> templates{
        "{} environment", "{} space",     "{} object", "{} scene",   "{} place",
        "{} item",        "{} area",      "{} view",   "{} thing",   "{} pattern",
        "{} structure",   "{} landscape", "{} vista",  "{} creature"};
    return templates;
}

std::string fillTemplate(const std::string &pattern, const std::string &label)
{
    const auto at = pattern.find("{}");
    if (at == std::string::npos)
        return pattern;
    return pattern.substr(0, at) + label + pattern.substr(at + 2);
}

} // namespace ood

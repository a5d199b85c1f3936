#pragma once
// HTML escaping shared by every HTML writer (the CLI's demo report, the GUI's review report).

#include <QString>

namespace ood {

/// What becomes of line breaks in escaped text.
enum class HtmlLineBreaks {
    Keep, ///< as they are (a browser shows them as spaces)
    Br,   ///< CRLF and LF become <br>, so that a multi-line note keeps its lines
};

/// Escapes & < > " ' so that any text is safe inside HTML elements and quoted attributes.
QString htmlEscape(const QString &text, HtmlLineBreaks lineBreaks = HtmlLineBreaks::Keep);

} // namespace ood

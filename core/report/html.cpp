#include "report/html.h"

namespace ood {

QString htmlEscape(const QString &text, HtmlLineBreaks lineBreaks)
{
    QString escaped;
    escaped.reserve(text.size() + text.size() / 8);
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '&':
            escaped += QLatin1String("&amp;");
            break;
        case '<':
            escaped += QLatin1String("&lt;");
            break;
        case '>':
            escaped += QLatin1String("&gt;");
            break;
        case '"':
            escaped += QLatin1String("&quot;");
            break;
        case '\'':
            escaped += QLatin1String("&#39;");
            break;
        default:
            escaped += c;
        }
    }
    if (lineBreaks == HtmlLineBreaks::Br) {
        escaped.replace(QLatin1String("\r\n"), QLatin1String("\n"));
        escaped.replace(QLatin1Char('\n'), QLatin1String("<br>"));
    }
    return escaped;
}

} // namespace ood

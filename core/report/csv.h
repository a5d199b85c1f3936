#pragma once
// CSV output shared by every writer (the CLI's score table, the GUI's report CSV).

#include <QString>

namespace ood {

/// One RFC 4180 field: quoted (with doubled quotes) when it holds a comma, a quote or a line
/// break; as it is otherwise.
QString csvField(const QString &value);

} // namespace ood

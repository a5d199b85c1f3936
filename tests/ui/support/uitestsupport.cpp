// The UI tests' precompiled header is built with this library (Qt GUI and Widgets defined, as in
// the tests themselves); the tests reuse it.
#include <QtWidgets>

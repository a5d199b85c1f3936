#include "mainwindow.h"

namespace ood {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("OOD Inspector"));
}

} // namespace ood

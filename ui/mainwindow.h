#pragma once
// The main window of OOD Inspector.

#include <QMainWindow>

namespace ood {

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace ood

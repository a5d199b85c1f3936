// PythonRandom against Python 3's own `random` module. Expected values were printed by CPython:
//   python3 -c "import random; random.seed(0); print([random.choice(range(14)) for _ in range(10)])"
//   python3 -c "import random; random.seed(0); print(random.random(), random.getrandbits(32))"
//   python3 -c "import random; random.seed(2**40+7); print([random.randrange(1000) for _ in range(5)])"

#include "text/pythonrandom.h"

#include <QtTest>

using namespace ood;

class PythonRandomTest : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void choiceMatchesPython()
    {
        PythonRandom random(0);
        const std::vector<int> fourteen{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
        std::vector<int> drawn;
        for (int i = 0; i < 10; ++i)
            drawn.push_back(random.choice(fourteen));
        QCOMPARE(drawn, (std::vector<int>{13, 6, 12, 6, 0, 4, 8, 7, 6, 12}));
    }

    void randomAndBitsMatchPython()
    {
        PythonRandom random(0);
        QCOMPARE(random.random(), 0.8444218515250481);
        QCOMPARE(random.getRandBits(32), 3255389356u);
    }

    void multiWordSeedMatchesPython()
    {
        PythonRandom random((uint64_t(1) << 40) + 7);
        std::vector<uint64_t> drawn;
        for (int i = 0; i < 5; ++i)
            drawn.push_back(random.randBelow(1000));
        QCOMPARE(drawn, (std::vector<uint64_t>{628, 765, 834, 960, 967}));
    }

    void rejectsEmptyChoice()
    {
        PythonRandom random(0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, random.choice(std::vector<int>{}));
    }
};

QTEST_GUILESS_MAIN(PythonRandomTest)
#include "pythonrandomtest.moc"

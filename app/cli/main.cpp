// ood-inspect: the command-line front-end of OOD Inspector.

#include "commands.h"

#include "base/error.h"
#include "base/version.h"

#include <QCoreApplication>

#include <torch/torch.h>

#include <cstdio>
#include <thread>

namespace {

const char *kUsage = "Usage: ood-inspect <command> [options]\n"
                     "\n"
                     "Commands:\n"
                     "  fit       fit a profile on an ID training and validation folder\n"
                     "  score     score images with a profile (CSV, one row per image)\n"
                     "  evaluate  AUROC / FPR@95 / AUPR of every detector on ID vs OOD folders\n"
                     "  bench     images/s of decode, preprocess, forward and each detector\n"
                     "  explain   heatmaps, neuron relevance, landscape and densities of one frame\n"
                     "  demo      run the bundled demo and write an HTML report\n"
                     "  merge     join the shard files of 'score --shard K/N' into one result\n"
                     "  slurm-script  write Slurm job scripts that score inputs in N shards and merge them\n"
                     "  bundle    write one file that carries a profile and its model\n"
                     "\n"
                     "  ood-inspect <command> --help   options of a command\n"
                     "  ood-inspect --version          version and git revision\n"
                     "\n"
                     "Exit codes: 0 success, 1 the job failed (message on stderr), 2 wrong command line,\n"
                     "            3 done, but some images could not be read (listed per image).\n";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("ood-inspect");
    QCoreApplication::setApplicationVersion(OOD_VERSION_STRING);
    // LibTorch starts with one intra-op thread; use every core unless --threads says otherwise.
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));

    QStringList arguments = app.arguments();
    if (arguments.size() < 2 || arguments[1] == "--help" || arguments[1] == "-h" || arguments[1] == "help") {
        std::fputs(kUsage, arguments.size() < 2 ? stderr : stdout);
        return arguments.size() < 2 ? ood::cli::ExitUsage : ood::cli::ExitOk;
    }
    if (arguments[1] == "--version" || arguments[1] == "-v") {
        std::printf("ood-inspect %s (git %s)\nLibTorch %s, Qt %s\n", OOD_VERSION_STRING, OOD_GIT_REVISION,
                    TORCH_VERSION, qVersion());
        return ood::cli::ExitOk;
    }
    const QString command = arguments[1];
    arguments.removeAt(1);
    arguments[0] = "ood-inspect " + command;
    try {
        if (command == "fit")
            return ood::cli::runFit(arguments);
        if (command == "score")
            return ood::cli::runScore(arguments);
        if (command == "evaluate")
            return ood::cli::runEvaluate(arguments);
        if (command == "bench")
            return ood::cli::runBench(arguments);
        if (command == "explain")
            return ood::cli::runExplain(arguments);
        if (command == "demo")
            return ood::cli::runDemo(arguments);
        if (command == "merge")
            return ood::cli::runMerge(arguments);
        if (command == "slurm-script")
            return ood::cli::runSlurmScript(arguments);
        if (command == "bundle")
            return ood::cli::runBundle(arguments);
        std::fprintf(stderr, "ood-inspect: unknown command '%s'\n\n%s", qPrintable(command), kUsage);
        return ood::cli::ExitUsage;
    } catch (const ood::Error &e) {
        std::fprintf(stderr, "ood-inspect %s: error: %s\n", qPrintable(command), e.what());
    } catch (const c10::Error &e) {
        std::fprintf(stderr, "ood-inspect %s: error: %s\n", qPrintable(command), e.what_without_backtrace());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ood-inspect %s: error: %s\n", qPrintable(command), e.what());
    }
    return ood::cli::ExitFailure;
}

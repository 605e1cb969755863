using SelfSup.Native;
using System.CommandLine;
using SelfSup.Cli;

// SelfSup command line: one file per verb (PretrainCommand, ProbeCommand, ViewsCommand, LossCommand, DataCommand, BenchCommand,
// SweepCommand, ReportCommand, SpectrumCommand, ReproduceCommand, ExportCommand, ImportCommand, EmbedCommand, TheoryCommand, MpiCheckCommand, DoctorCommand).
var root = new RootCommand("SelfSup: efficient self-supervised visual pretraining with small projectors and multiple views " +
                           "(Ghosh, Agrawal et al., NeurIPS 2024), on TorchSharp.");
root.Subcommands.Add(PretrainCommand.Create());
root.Subcommands.Add(ProbeCommand.Create());
root.Subcommands.Add(ViewsCommand.Create());
root.Subcommands.Add(LossCommand.Create());
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(SweepCommand.Create());
root.Subcommands.Add(SweepCommand.CreateRunCell());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(SpectrumCommand.Create());
root.Subcommands.Add(ReproduceCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(EmbedCommand.Create());
root.Subcommands.Add(TheoryCommand.Create());
root.Subcommands.Add(MpiCheckCommand.Create());
root.Subcommands.Add(DoctorCommand.Create());
SelfSup.Data.ImageCache.Progress = CacheProgress.Report;
NativeHeap.KeepFreedMemory();
using var gate = NativeCallGate.Open();   // collections only at safe points: the progress display thread allocates while libtorch runs
return CliRunner.Run(root, args);

using System.CommandLine;
using SelfSup.Diagnostics;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup doctor [--device cuda]</c>: is libtorch loaded, do the native bindings resolve, and do views, training steps,
/// fused Adam, the probe, kNN and a pretraining with a resume run on the device and agree with the CPU
/// (<see cref="DeviceDoctor"/>). Exits 1 when a check fails.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu", Description = "cpu, cuda or cuda:N" };
        var command = new Command("doctor", "Check that SelfSup works on a device and agrees with the CPU there: libtorch, native bindings, bf16, " +
                                            "view ops, fused Adam, training steps, probe and kNN, pretraining with a checkpoint and a resume. Exit code 1 when a check fails.");
        command.Options.Add(device);
        command.SetAction(r =>
        {
            var results = DeviceDoctor.Run(r.GetValue(device)!, onCheck: c =>
                Console.WriteLine($"{(c.Ok ? "ok  " : "FAIL")} {c.Name,-30} {c.Seconds,6:F1} s  {FlagNames.InMessage(c.Detail)}"));
            int failed = results.Count(c => !c.Ok);
            Console.WriteLine(failed == 0 ? $"doctor: all {results.Count} checks passed on {r.GetValue(device)}" : $"doctor: {failed} of {results.Count} checks failed on {r.GetValue(device)}");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}

using System.CommandLine;
using SelfSup.Experiments;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup reproduce --preset NAME --out DIR</c>: the paper's studies (projector sweep, views, data
/// fraction) as one sweep, ending with the report. <c>fashion-mnist-small</c> fits in an hour on 2 CPU cores;
/// <c>cifar10</c>, <c>stl10</c>, <c>imagenet100</c> follow the paper's protocol, for a GPU.
/// </summary>
public static class ReproduceCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = $"Study to run: {string.Join(", ", ReproducePresets.Names)}", DefaultValueFactory = _ => "fashion-mnist-small" };
        var show = new Option<bool>("--show") { Description = "Print the preset's sweep file (YAML) and exit" };
        var options = new SweepCommand.SweepOptions();
        var command = new Command("reproduce", "Run the paper's studies (projector sweep, views, data fraction) from a preset, then write the report.");
        command.Options.Add(preset); command.Options.Add(show);
        options.AddTo(command);
        command.SetAction(r =>
        {
            string name = r.GetValue(preset)!;
            string yaml = ReproducePresets.Yaml(name);
            if (r.GetValue(show)) { Console.Write(yaml); return 0; }
            var sweep = SweepConfig.Parse(yaml, $"preset {name}", ConfigSettings.ParseOverrides(r.GetValue(options.Set) ?? []));
            SweepCommand.Run(sweep, yaml, r, options, defaultParallel: ReproducePresets.DefaultParallel(name));
            return 0;
        });
        return command;
    }
}

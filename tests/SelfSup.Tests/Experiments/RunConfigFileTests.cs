using SelfSup.Experiments;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Experiments;

/// <summary><c>pretrain --config run.yaml</c>: the sweep's fixed: keys, checked the same way, overridden by flags.</summary>
public sealed class RunConfigFileTests
{
    private static string Write(TempDir dir, string yaml)
    {
        string path = dir.File("run.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void The_file_sets_keys_in_either_spelling_and_leaves_the_rest_at_the_defaults()
    {
        using var dir = new TempDir();
        var (config, keys) = RunConfigFile.Load(Write(dir, "width: 16\nproj-dim: 32\nviews: 4\nprecision: bf16\nbeta: 0.001\n"));
        Assert.Equal((16, 32, 4, "bf16", "0.001"), (config.Width, config.ProjDim, config.Views, config.Precision, config.Beta));
        Assert.Equal(new TrainConfig().BatchSize, config.BatchSize);
        Assert.Equal(["width", "proj_dim", "views", "precision", "beta"], keys);
    }

    [Fact]
    public void Flags_given_on_the_command_line_override_the_file_and_count_as_given()
    {
        using var dir = new TempDir();
        var flags = new TrainConfig { ProjDim = 128, Epochs = 2 };
        var (config, given) = RunConfigFile.WithFlags(Write(dir, "proj_dim: 32\nwidth: 8\n"), flags, ["proj_dim", "epochs"]);
        Assert.Equal((128, 8, 2), (config.ProjDim, config.Width, config.Epochs));
        Assert.Equal(["proj_dim", "width", "epochs"], given);
    }

    [Theory]
    [InlineData("widht: 8\n", "widht")]                     // unknown key: named, with the allowed ones
    [InlineData("width: eight\n", "width")]                 // wrong type
    [InlineData("views: 1\n", "`views` 1")]                 // out of range
    [InlineData("proj_dim: [1, 2\n", "not valid YAML")]     // not YAML
    [InlineData("- width\n", "map")]                        // not a map
    public void A_bad_file_is_an_error_naming_the_key_the_value_and_what_is_allowed(string yaml, string mention)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<SelfSupError>(() => RunConfigFile.Load(Write(dir, yaml)));
        Assert.Contains(mention, e.Message);
        Assert.Contains("run.yaml", e.Message);
    }

    [Fact]
    public void A_missing_file_says_what_to_pass()
    {
        var e = Assert.Throws<SelfSupError>(() => RunConfigFile.Load("/nonexistent/run.yaml"));
        Assert.Contains("`config`", e.Message);
    }
}

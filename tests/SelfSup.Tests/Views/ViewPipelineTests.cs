using SelfSup.Views;
using static TorchSharp.torch;
using Xunit;

namespace SelfSup.Tests.Views;

/// <summary>The ops as one ordered list: their columns of a view's uniforms and the one error type.</summary>
public class ViewPipelineTests
{
    // the documented layout of a view's uniforms: crop 22 (10 scales, 10 ratios, 2 corners), flip 1, jitter 5, grayscale 1, blur 2, solarize 1
    private const int FlipColumn = 22, JitterColumn = 23, GrayscaleColumn = 23 + 5, BlurColumn = 29, SolarizeColumn = 29 + 2;

    [Fact]
    public void The_ops_run_in_the_documented_order_and_draw_32_uniforms()
    {
        var pipeline = ViewPipeline.For(AugmentationPreset.Cifar);
        Assert.Equal([typeof(RandomResizedCrop), typeof(HorizontalFlip), typeof(ColorJitter), typeof(RandomGrayscale), typeof(GaussianBlur), typeof(Solarize)],
            pipeline.Ops.Select(op => op.GetType()));
        Assert.Equal(SolarizeColumn + 1, pipeline.DrawsPerView);
    }

    [Fact]
    public void Each_op_reads_its_own_columns_of_the_views_key_whatever_else_the_preset_enables()
    {
        // an identity crop; flip and solarize decided with p = 0.5, jitter, grayscale and blur with their own p
        var preset = AugmentationPreset.Cifar with
        {
            ScaleMin = 1, RatioMin = 1, RatioMax = 1, FlipProbability = 0.5, SolarizeProbability = 0.5,
            JitterProbability = 0.5, GrayscaleProbability = 0.3, BlurProbability = 0.3,
        };
        var plain = preset with { FlipProbability = 0, SolarizeProbability = 0, JitterProbability = 0, GrayscaleProbability = 0, BlurProbability = 0 };
        // a colour ramp (red rising, green falling left to right) that every op visibly changes
        var ramp = arange(32, dtype: float32).mul(255f / 31).round();
        var image = stack([ramp, 255 - ramp, full(32, 128f)]).view(1, 3, 1, 32).expand(1, 3, 32, 32).to_type(ScalarType.Byte);
        int[] indices = Enumerable.Range(0, 40).ToArray();
        var keys = ViewKeys.For(5, 0, indices, 2);
        var images = image.expand(40, 3, 32, 32).contiguous();
        var views = ViewSampler.Unnormalise(new ViewSampler(preset, 2).Sample(images, keys), preset).view(80, 3, 32, 32);
        var clean = ViewSampler.Unnormalise(new ViewSampler(plain, 2).Sample(images, keys), plain).view(80, 3, 32, 32);
        bool Below(int v, int column, double p) => SplitMix64.ToUnit(SplitMix64.At(keys[v], (ulong)column)) < p;
        int untouchedByOthers = 0, flips = 0;
        for (int v = 0; v < 80; v++)
        {
            bool flip = Below(v, FlipColumn, 0.5), solarize = Below(v, SolarizeColumn, 0.5);
            bool jitter = Below(v, JitterColumn, 0.5), gray = Below(v, GrayscaleColumn, 0.3), blur = Below(v, BlurColumn, 0.3);
            flips += flip ? 1 : 0;
            var expected = clean[v];
            if (flip) expected = expected.flip(2);
            if (solarize) expected = where(expected.ge(0.5), 1 - expected, expected);
            float difference = (views[v] - expected).abs().max().item<float>();
            if (!jitter && !gray && !blur)
            {
                untouchedByOthers++;
                Assert.True(difference < 1e-5f, $"view {v}: flip {flip}, solarize {solarize}: {difference}");
            }
            else if (jitter || gray) Assert.True(difference > 1e-3f, $"view {v}: jitter {jitter}, grayscale {gray} left it unchanged");
        }
        Assert.InRange(untouchedByOthers, 10, 40);
        Assert.InRange(flips, 20, 60);
    }

    [Theory]
    [InlineData("FlipProbability", "flip probability")]
    [InlineData("JitterProbability", "colour-jitter probability")]
    [InlineData("GrayscaleProbability", "grayscale probability")]
    [InlineData("BlurProbability", "blur probability")]
    [InlineData("SolarizeProbability", "solarize probability")]
    [InlineData("Hue", "hue strength")]
    [InlineData("Brightness", "brightness strength")]
    [InlineData("ScaleMax", "area range")]
    [InlineData("BlurSigmaMin", "σ range")]
    [InlineData("RatioMin", "aspect-ratio range")]
    public void Every_bad_setting_is_one_error_type_naming_the_preset_and_the_setting(string field, string named)
    {
        var preset = field switch
        {
            "FlipProbability" => AugmentationPreset.Stl10 with { FlipProbability = 1.5 },
            "JitterProbability" => AugmentationPreset.Stl10 with { JitterProbability = -0.1 },
            "GrayscaleProbability" => AugmentationPreset.Stl10 with { GrayscaleProbability = 2 },
            "BlurProbability" => AugmentationPreset.Stl10 with { BlurProbability = double.NaN },
            "SolarizeProbability" => AugmentationPreset.Stl10 with { SolarizeProbability = 1.01 },
            "Hue" => AugmentationPreset.Stl10 with { Hue = 0.7 },
            "Brightness" => AugmentationPreset.Stl10 with { Brightness = -1 },
            "ScaleMax" => AugmentationPreset.Stl10 with { ScaleMax = 1.2 },
            "BlurSigmaMin" => AugmentationPreset.Stl10 with { BlurSigmaMin = 0 },
            _ => AugmentationPreset.Stl10 with { RatioMin = 2, RatioMax = 1 },
        };
        foreach (var attempt in new Action[] { preset.Validate, () => _ = new ViewSampler(preset, 2) })
        {
            var e = Assert.Throws<SelfSupError>(attempt);
            Assert.Contains("'stl10'", e.Message);
            Assert.Contains(named, e.Message);
        }
    }
}

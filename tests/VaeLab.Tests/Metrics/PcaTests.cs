namespace VaeLab.Tests.Metrics;

[Collection(TrainingSerial.Name)]
public class PcaTests
{
    const string File = "pca.json";

    public static TheoryData<string> Cases => new(RecordedFixture.Names(File));

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesNumpysSvdWithScikitLearnsSigns(string name)
    {
        using var scope = NewDisposeScope();
        var c = RecordedFixture.Load(File, name);
        var x = c.Input("x");
        using var pca = Pca.fit(x, (int)c.Arg("n_components"));

        TensorAssert.Close(c.Output("mean"), pca.mean, 1e-12, 1e-12, $"{name} mean");
        TensorAssert.Close(c.Output("components"), pca.components, 1e-8, 1e-9, $"{name} components");
        TensorAssert.Close(c.Output("explained_variance"), tensor(pca.explained_variance.ToArray()), 1e-9, 1e-12, $"{name} variance");
        TensorAssert.Close(c.Output("explained_variance_ratio"), tensor(pca.explained_variance_ratio.ToArray()), 1e-9, 1e-12, $"{name} ratio");
        TensorAssert.Close(c.Output("projected"), pca.transform(x), 1e-8, 1e-9, $"{name} projection");
    }

    [Fact]
    public void Float32RowsGiveFloat32ResultsCloseToTheFloat64Ones()
    {
        using var scope = NewDisposeScope();
        var c = RecordedFixture.Load(File, "tall_5d");
        var projected = Pca.fit_transform(c.Input("x").to(float32));

        Assert.Equal(float32, projected.dtype);
        TensorAssert.Close(c.Output("projected"), projected.to(float64), 1e-4, 1e-4, "float32 projection");
    }

    [Fact]
    public void PointsOnALineHaveOneComponentAlongIt()
    {
        using var scope = NewDisposeScope();
        // x = t (3, -4, 0) / 5 + (1, 2, 3): all the variance lies along the unit vector (0.6, -0.8, 0).
        var t = linspace(-2, 2, 9, float64).unsqueeze(1);
        var x = t * tensor(new[] { 0.6, -0.8, 0 }) + tensor(new[] { 1.0, 2, 3 });
        using var pca = Pca.fit(x, 1);

        // Its largest entry in magnitude (-0.8) is made positive.
        TensorAssert.Close(tensor(new[] { -0.6, 0.8, 0 }).unsqueeze(0), pca.components, 0, 1e-12, "direction");
        Assert.Equal(1.0, pca.explained_variance_ratio[0], 12);
        // Sample variance of t: sum(t^2) / (n - 1) = 15 / 8 for t = -2, -1.5, ..., 2.
        Assert.Equal(15.0 / 8, pca.explained_variance[0], 12);
        TensorAssert.Close(-t, pca.transform(x), 0, 1e-12, "coordinates");
    }

    [Fact]
    public void BadShapesAndCountsAreRejected()
    {
        using var scope = NewDisposeScope();
        Assert.Contains("at least 2 rows", Assert.Throws<ArgumentException>(() => Pca.fit(ones(1, 3))).Message);
        Assert.Contains("[N, D] matrix", Assert.Throws<ArgumentException>(() => Pca.fit(ones(4, 3, 2))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca.fit(randn(5, 3), 4));
        using var pca = Pca.fit(randn(5, 3));
        Assert.Contains("[N, 3] matrix", Assert.Throws<ArgumentException>(() => pca.transform(ones(2, 4))).Message);
    }
}

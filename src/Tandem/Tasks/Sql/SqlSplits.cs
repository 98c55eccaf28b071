namespace Tandem.Tasks.Sql;

/// <summary>Examples divided into the three sets an experiment uses.</summary>
/// <param name="Train">Examples to train on.</param>
/// <param name="Dev">Examples to watch during training (may be empty).</param>
/// <param name="Test">Examples to report on.</param>
public sealed record SqlSplits(IReadOnlyList<SqlExample> Train, IReadOnlyList<SqlExample> Dev, IReadOnlyList<SqlExample> Test)
{
    /// <summary>
    /// The standard train/dev/test split of the larger text2sql-data datasets (geography, atis, advising, scholar)
    /// and of WikiSQL-style data: each example goes where its <see cref="SqlExample.Split"/> says; <c>exclude</c>
    /// (advising) is dropped. With <paramref name="mergeDevIntoTrain"/>, dev joins train and <see cref="Dev"/> is
    /// empty: that is what upstream does when it reports test results ("for the larger datasets, at test time we
    /// train on both the training and development sets"). Without it (the default) dev is kept apart, e.g. to pick
    /// a checkpoint; GeoQuery's question split then gives 549/49/279.
    /// </summary>
    /// <param name="examples">Examples whose split is <c>train</c>, <c>dev</c>, <c>test</c> or <c>exclude</c>.</param>
    /// <param name="mergeDevIntoTrain">Whether dev examples are trained on.</param>
    public static SqlSplits Standard(IEnumerable<SqlExample> examples, bool mergeDevIntoTrain = false)
    {
        var train = new List<SqlExample>();
        var dev = new List<SqlExample>();
        var test = new List<SqlExample>();
        foreach (var e in examples)
        {
            switch (e.Split)
            {
                case "train": train.Add(e); break;
                case "dev": (mergeDevIntoTrain ? train : dev).Add(e); break;
                case "test": test.Add(e); break;
                case "exclude": break;
                default:
                    throw new TandemException(
                        $"split '{e.Split}' is not train/dev/test; a 10-fold dataset needs SqlSplits.CrossValidation");
            }
        }
        return new SqlSplits(train, dev, test);
    }

    /// <summary>
    /// One round of the 10-fold cross-validation used by the small text2sql-data datasets (restaurants, academic,
    /// imdb, yelp), as upstream runs it: fold <paramref name="testFold"/> is the test set, the other nine folds are
    /// the training set, and there is no dev set. A result for the dataset is the mean over the ten folds.
    /// </summary>
    /// <param name="examples">Examples whose split is a fold number <c>0</c> to <c>9</c>.</param>
    /// <param name="testFold">The fold held out for testing, 0 to 9.</param>
    public static SqlSplits CrossValidation(IEnumerable<SqlExample> examples, int testFold)
    {
        if (testFold is < 0 or > 9)
            throw new TandemException($"fold {testFold} is out of range: folds are 0 to 9");
        var train = new List<SqlExample>();
        var test = new List<SqlExample>();
        string held = testFold.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var e in examples)
        {
            if (e.Split.Length != 1 || e.Split[0] is < '0' or > '9')
                throw new TandemException($"split '{e.Split}' is not a fold 0-9; use SqlSplits.Standard for this dataset");
            (e.Split == held ? test : train).Add(e);
        }
        return new SqlSplits(train, [], test);
    }

    /// <summary>
    /// Writes <c>train</c>, <c>dev</c> and <c>test</c> files into <paramref name="dir"/> (created if needed) in the
    /// given format; an empty set still gets its (empty) file.
    /// </summary>
    /// <param name="dir">The output folder.</param>
    /// <param name="format">JSON lines (<c>.jsonl</c>) or TSV (<c>.tsv</c>).</param>
    /// <param name="targetTransform">An optional rewrite of each target, e.g. <see cref="SqlTargetNormalizer.Normalize"/>.</param>
    public void Export(string dir, SqlPairFormat format, Func<string, string>? targetTransform = null)
    {
        Directory.CreateDirectory(dir);
        string ext = format == SqlPairFormat.JsonLines ? ".jsonl" : ".tsv";
        foreach (var (name, set) in new[] { ("train", Train), ("dev", Dev), ("test", Test) })
            SqlPairFiles.Write(Path.Combine(dir, name + ext), set, format, targetTransform);
    }
}

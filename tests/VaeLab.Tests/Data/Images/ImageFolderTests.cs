using VaeLab.Data;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class ImageFolderTests
{
    static readonly string Rgb = ImageFixtures.PathOf("jpeg", "rgb_444.jpg");
    static readonly string Grey = ImageFixtures.PathOf("jpeg", "grey.jpg");
    static readonly string Png = ImageFixtures.PathOf("png", "pillow_RGB.png");

    static void Place(ImageFixtures.TempFolder folder, string source, params string[] parts) => File.Copy(source, folder.File(parts));

    [Fact]
    public void Food101ReadsTheSplitFilesAndLabelsByClassesTxt()
    {
        using var root = new ImageFixtures.TempFolder();
        Place(root, Rgb, "images", "apple_pie", "1005649.jpg");
        Place(root, Grey, "images", "sushi", "17.jpg");
        Place(root, Png, "images", "sushi", "3.jpg"); // a PNG under a .jpg name decodes by its content
        File.WriteAllText(root.File("meta", "classes.txt"), "apple_pie\nbaklava\nsushi\n");
        File.WriteAllText(root.File("meta", "train.txt"), "sushi/17\napple_pie/1005649\n\n");
        File.WriteAllText(root.File("meta", "test.txt"), "sushi/3\n");

        var train = ImageFolder.Food101(root.Path);
        Assert.Equal(["apple_pie", "baklava", "sushi"], train.Classes);
        Assert.Equal([2L, 0], train.Labels);
        var sushi = train.Get(0);
        Assert.Equal((1, 17, 23, 2L), (sushi.Image.Channels, sushi.Image.Height, sushi.Image.Width, sushi.Label));
        Assert.Equal(JpegDecoder.Decode(Rgb).ToFloat().Data, train.Get(1).Image.Data);
        var test = ImageFolder.Food101(root.Path, "test");
        Assert.Equal((1, 3), (test.Count, test.Get(0).Image.Channels));

        File.WriteAllText(root.File("meta", "train.txt"), "sushi/17\npizza\n");
        var line = Assert.Throws<DataFormatException>(() => ImageFolder.Food101(root.Path));
        Assert.Equal((root.File("meta", "train.txt"), "line 2"), (line.File, line.Location));
        File.WriteAllText(root.File("meta", "train.txt"), "pizza/1\n");
        Assert.Contains("'pizza'", Assert.Throws<DataFormatException>(() => ImageFolder.Food101(root.Path)).Message);
        File.WriteAllText(root.File("meta", "train.txt"), "sushi/4\n");
        Assert.Throws<FileNotFoundException>(() => ImageFolder.Food101(root.Path));
    }

    [Fact]
    public void CocoListsTheImagesOfTheNamedFoldersInOrder()
    {
        using var root = new ImageFixtures.TempFolder();
        Place(root, Rgb, "train2017", "000000000009.jpg");
        Place(root, Grey, "train2017", "000000000025.jpg");
        Place(root, Rgb, "test2017", "000000000001.jpg");
        File.WriteAllText(root.File("train2017", "notes.txt"), "not an image");
        var set = ImageFolder.Coco(root.Path, "train2017", "test2017");
        Assert.Equal(["000000000009.jpg", "000000000025.jpg", "000000000001.jpg"], set.Files.Select(Path.GetFileName));
        Assert.All(set.Labels, l => Assert.Equal(0, l));
        Assert.Equal(2, ImageFolder.Coco(root.Path).Count);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Coco(root.Path, "val2017"));
    }

    [Theory]
    [InlineData("list_eval_partition.txt", "", " ")]
    [InlineData("list_eval_partition.csv", "image_id,partition\n", ",")]
    public void CelebAKeepsTheImagesOfTheSplit(string listName, string header, string separator)
    {
        using var root = new ImageFixtures.TempFolder();
        for (var i = 1; i <= 5; i++) Place(root, Rgb, "img_align_celeba", $"{i:000000}.jpg");
        var partitions = new[] { 0, 0, 1, 2, 0 };
        File.WriteAllText(root.File(listName), header + string.Concat(partitions.Select((p, i) => $"{i + 1:000000}.jpg{separator}{p}\n")));
        Assert.Equal(5, ImageFolder.CelebA(root.Path).Count);
        Assert.Equal(["000001.jpg", "000002.jpg", "000005.jpg"], ImageFolder.CelebA(root.Path, "train").Files.Select(Path.GetFileName));
        Assert.Equal(["000003.jpg"], ImageFolder.CelebA(root.Path, "valid").Files.Select(Path.GetFileName));
        Assert.Equal(["000004.jpg"], ImageFolder.CelebA(root.Path, "test").Files.Select(Path.GetFileName));
    }

    [Fact]
    public void ClassFoldersAreLabelledInNameOrderAndCorruptFilesAreNamed()
    {
        using var root = new ImageFixtures.TempFolder();
        Place(root, Rgb, "dog", "a.jpg");
        Place(root, Png, "cat", "b.png");
        Place(root, ImageFixtures.PathOf("jpeg_bad", "truncated.jpg"), "cat", "c.jpg");
        var set = ImageFolder.FromClassFolders(root.Path);
        Assert.Equal(["cat", "dog"], set.Classes);
        Assert.Equal([0L, 0, 1], set.Labels);
        var error = Assert.Throws<DataFormatException>(() => set.Get(1));
        Assert.Equal(root.File("cat", "c.jpg"), error.File);
    }
}

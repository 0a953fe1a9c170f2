// Loaded by load.ipynb with #load, relative to the notebook's folder.
int Square(int v) => v * v;

class Greeter
{
    public string Hello(string name) => $"hello {name}";
}

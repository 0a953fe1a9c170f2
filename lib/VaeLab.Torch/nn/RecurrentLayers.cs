namespace VaeLab.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>torch.nn.LSTM: a multi-layer (bidirectional) LSTM over sequences; see <see cref="Modules.LSTM"/>.</summary>
        public static Modules.LSTM LSTM(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false,
            double dropout = 0, bool bidirectional = false) =>
            new(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional);

        /// <summary>torch.nn.LSTMCell: one LSTM step; see <see cref="Modules.LSTMCell"/>.</summary>
        public static Modules.LSTMCell LSTMCell(long input_size, long hidden_size, bool bias = true) => new(input_size, hidden_size, bias);

        /// <summary>Sketch-RNN's layer-normalised LSTM cell with recurrent dropout; see <see cref="Modules.LayerNormLSTMCell"/>.</summary>
        public static Modules.LayerNormLSTMCell LayerNormLSTMCell(long input_size, long hidden_size, double forget_bias = 1.0,
            double dropout = 0.1, double eps = 1e-3) =>
            new(input_size, hidden_size, forget_bias, dropout, eps);
    }
}

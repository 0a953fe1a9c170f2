using VaeLab.Torch.Optim;

namespace VaeLab.Torch;

public static partial class torch
{
    /// <summary>torch.optim: <c>var opt = torch.optim.Adam(model.parameters(), lr: 1e-3);</c> The classes live in VaeLab.Torch.Optim.</summary>
    public static partial class optim
    {
        public static Optim.SGD SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            new([new ParamGroup(parameters)], lr, momentum, dampening, weight_decay, nesterov, maximize);

        public static Optim.SGD SGD(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            new(param_groups, lr, momentum, dampening, weight_decay, nesterov, maximize);

        public static Optim.Adam Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new([new ParamGroup(parameters)], lr, betas, eps, weight_decay, amsgrad, maximize);

        public static Optim.Adam Adam(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new(param_groups, lr, betas, eps, weight_decay, amsgrad, maximize);

        public static Optim.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
            new([new ParamGroup(parameters)], lr, betas, eps, weight_decay, amsgrad, maximize);

        public static Optim.AdamW AdamW(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
            new(param_groups, lr, betas, eps, weight_decay, amsgrad, maximize);

        public static Optim.RMSprop RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
            double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
            new([new ParamGroup(parameters)], lr, alpha, eps, weight_decay, momentum, centered, maximize);

        public static Optim.RMSprop RMSprop(IEnumerable<ParamGroup> param_groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
            double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
            new(param_groups, lr, alpha, eps, weight_decay, momentum, centered, maximize);

        public static class lr_scheduler
        {
            public static Optim.ExponentialLR ExponentialLR(Optimizer optimizer, double gamma) => new(optimizer, gamma);

            public static Optim.StepLR StepLR(Optimizer optimizer, int step_size, double gamma = 0.1) => new(optimizer, step_size, gamma);

            public static Optim.LambdaLR LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda) => new(optimizer, lr_lambda);
        }
    }
}

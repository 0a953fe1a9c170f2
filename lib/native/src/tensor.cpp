// Tensor lifetime, properties, data transfer, creation and global settings.
#include "common.h"
#include <cstring>
#include <dlfcn.h>
#include <sstream>

static thread_local std::string last_error;

void vt_set_error(const char* message) { last_error = message; }

VT_API const char* vt_last_error() { return last_error.c_str(); }
VT_API void vt_clear_error() { last_error.clear(); }

VT_API void vt_free(TensorPtr t) { delete t; }

// ---- properties ---------------------------------------------------------------------------
VT_API int64_t vt_dim(TensorPtr t) { return t->dim(); }
VT_API int64_t vt_numel(TensorPtr t) { return t->numel(); }
VT_API int vt_defined(TensorPtr t) { return t->defined() ? 1 : 0; }
VT_API int vt_dtype(TensorPtr t) { return static_cast<int>(t->scalar_type()); }
VT_API int vt_device_type(TensorPtr t) { return static_cast<int>(t->device().type()); }
VT_API int vt_device_index(TensorPtr t) { return t->device().index(); }
VT_API int vt_is_contiguous(TensorPtr t) { return t->is_contiguous() ? 1 : 0; }
VT_API int vt_requires_grad(TensorPtr t) { return t->requires_grad() ? 1 : 0; }
VT_API int vt_is_leaf(TensorPtr t) { return t->is_leaf() ? 1 : 0; }
VT_API void* vt_data_ptr(TensorPtr t) { return t->data_ptr(); }
VT_API int64_t vt_element_size(TensorPtr t) { return t->element_size(); }
VT_API int64_t vt_storage_offset(TensorPtr t) { return t->storage_offset(); }
VT_API int vt_use_count(TensorPtr t) { return static_cast<int>(t->use_count()); }

VT_API void vt_sizes(TensorPtr t, int64_t* out) {
  auto sizes = t->sizes();
  std::copy(sizes.begin(), sizes.end(), out);
}

VT_API void vt_strides(TensorPtr t, int64_t* out) {
  auto strides = t->strides();
  std::copy(strides.begin(), strides.end(), out);
}

VT_API int vt_item(TensorPtr t, double* out) {
  VT_RETURN_STATUS(*out = vt::ref(t).item<double>())
}

VT_API int vt_item_long(TensorPtr t, int64_t* out) {
  VT_RETURN_STATUS(*out = vt::ref(t).item<int64_t>())
}

// Returns a malloc'd string (free with vt_free_string), or nullptr on error.
VT_API char* vt_to_string(TensorPtr t) {
  try {
    std::ostringstream stream;
    stream << vt::ref(t);
    return strdup(stream.str().c_str());
  }
  VT_CATCH(nullptr)
}

VT_API void vt_free_string(char* s) { free(s); }

// ---- data in and out ----------------------------------------------------------------------
// One copy from caller memory into a new CPU tensor of the given dtype and shape.
VT_API TensorPtr vt_from_data(const void* data, const int64_t* shape, int ndim, int dtype, int requires_grad) {
  try {
    auto result = torch::empty(vt::ints(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    std::memcpy(result.data_ptr(), data, result.numel() * result.element_size());
    if (requires_grad) result.requires_grad_(true);
    return new at::Tensor(result);
  }
  VT_CATCH(nullptr)
}

// One copy of the tensor's elements, in row-major order, into caller memory of nbytes.
VT_API int vt_copy_to(TensorPtr t, void* destination, int64_t nbytes) {
  try {
    auto source = vt::ref(t).detach();
    if (!source.device().is_cpu()) source = source.cpu();
    source = source.contiguous();
    int64_t needed = source.numel() * source.element_size();
    TORCH_CHECK(needed == nbytes, "destination holds ", nbytes, " bytes but the tensor needs ", needed);
    std::memcpy(destination, source.data_ptr(), needed);
    return 0;
  }
  VT_CATCH(-1)
}

// ---- creation -----------------------------------------------------------------------------
#define VT_OPTIONS vt::options(dtype, device_type, device_index, requires_grad)
#define VT_FACTORY_ARGS int dtype, int device_type, int device_index, int requires_grad

VT_API TensorPtr vt_empty(const int64_t* shape, int ndim, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::empty(vt::ints(shape, ndim), VT_OPTIONS))
}
VT_API TensorPtr vt_zeros(const int64_t* shape, int ndim, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::zeros(vt::ints(shape, ndim), VT_OPTIONS))
}
VT_API TensorPtr vt_ones(const int64_t* shape, int ndim, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::ones(vt::ints(shape, ndim), VT_OPTIONS))
}
VT_API TensorPtr vt_full(const int64_t* shape, int ndim, double value, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::full(vt::ints(shape, ndim), value, VT_OPTIONS))
}
VT_API TensorPtr vt_eye(int64_t n, int64_t m, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::eye(n, m, VT_OPTIONS))
}
VT_API TensorPtr vt_arange(double start, double end, double step, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::arange(start, end, step, VT_OPTIONS))
}
VT_API TensorPtr vt_linspace(double start, double end, int64_t steps, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::linspace(start, end, steps, VT_OPTIONS))
}
VT_API TensorPtr vt_randn(const int64_t* shape, int ndim, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::randn(vt::ints(shape, ndim), VT_OPTIONS))
}
VT_API TensorPtr vt_rand(const int64_t* shape, int ndim, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::rand(vt::ints(shape, ndim), VT_OPTIONS))
}
VT_API TensorPtr vt_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::randint(low, high, vt::ints(shape, ndim), VT_OPTIONS))
}
VT_API TensorPtr vt_randperm(int64_t n, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::randperm(n, VT_OPTIONS))
}
VT_API TensorPtr vt_normal(double mean, double std, const int64_t* shape, int ndim, VT_FACTORY_ARGS) {
  VT_RETURN_TENSOR(torch::normal(mean, std, vt::ints(shape, ndim), c10::nullopt, VT_OPTIONS))
}
VT_API TensorPtr vt_bernoulli(TensorPtr probabilities) {
  VT_RETURN_TENSOR(torch::bernoulli(vt::ref(probabilities)))
}
VT_API TensorPtr vt_multinomial(TensorPtr probabilities, int64_t samples, int replacement) {
  VT_RETURN_TENSOR(torch::multinomial(vt::ref(probabilities), samples, replacement != 0))
}
VT_API TensorPtr vt_zeros_like(TensorPtr t) { VT_RETURN_TENSOR(torch::zeros_like(vt::ref(t))) }
VT_API TensorPtr vt_ones_like(TensorPtr t) { VT_RETURN_TENSOR(torch::ones_like(vt::ref(t))) }
VT_API TensorPtr vt_randn_like(TensorPtr t) { VT_RETURN_TENSOR(torch::randn_like(vt::ref(t))) }
VT_API TensorPtr vt_rand_like(TensorPtr t) { VT_RETURN_TENSOR(torch::rand_like(vt::ref(t))) }
VT_API TensorPtr vt_full_like(TensorPtr t, double value) { VT_RETURN_TENSOR(torch::full_like(vt::ref(t), value)) }

// In-place random fills used by initialisers and dropout masks.
VT_API int vt_uniform_(TensorPtr t, double low, double high) {
  VT_RETURN_STATUS(torch::NoGradGuard guard; vt::ref(t).uniform_(low, high))
}
VT_API int vt_normal_(TensorPtr t, double mean, double std) {
  VT_RETURN_STATUS(torch::NoGradGuard guard; vt::ref(t).normal_(mean, std))
}
VT_API int vt_bernoulli_(TensorPtr t, double p) {
  VT_RETURN_STATUS(torch::NoGradGuard guard; vt::ref(t).bernoulli_(p))
}

// ---- conversion and copies ----------------------------------------------------------------
VT_API TensorPtr vt_to(TensorPtr t, int dtype, int device_type, int device_index, int copy) {
  VT_RETURN_TENSOR(vt::ref(t).to(
      at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)),
      static_cast<at::ScalarType>(dtype), /*non_blocking=*/false, copy != 0))
}
VT_API TensorPtr vt_contiguous(TensorPtr t) { VT_RETURN_TENSOR(vt::ref(t).contiguous()) }
VT_API TensorPtr vt_clone(TensorPtr t) { VT_RETURN_TENSOR(vt::ref(t).clone()) }
VT_API TensorPtr vt_detach(TensorPtr t) { VT_RETURN_TENSOR(vt::ref(t).detach()) }
VT_API TensorPtr vt_alias(TensorPtr t) { VT_RETURN_TENSOR(vt::ref(t)) }
VT_API int vt_copy_(TensorPtr destination, TensorPtr source) {
  VT_RETURN_STATUS(vt::ref(destination).copy_(vt::ref(source)))
}
VT_API int vt_fill_(TensorPtr t, double value) { VT_RETURN_STATUS(vt::ref(t).fill_(value)) }
VT_API int vt_zero_(TensorPtr t) { VT_RETURN_STATUS(vt::ref(t).zero_()) }
// Replaces the tensor's data in place (what `param.data = other` does in PyTorch), keeping its identity.
VT_API int vt_set_data(TensorPtr t, TensorPtr data) { VT_RETURN_STATUS(vt::ref(t).set_data(vt::ref(data))) }
VT_API int vt_allclose(TensorPtr a, TensorPtr b, double rtol, double atol, int* out) {
  VT_RETURN_STATUS(*out = at::allclose(vt::ref(a), vt::ref(b), rtol, atol) ? 1 : 0)
}
VT_API int vt_equal(TensorPtr a, TensorPtr b, int* out) {
  VT_RETURN_STATUS(*out = at::equal(vt::ref(a), vt::ref(b)) ? 1 : 0)
}

// ---- global settings ----------------------------------------------------------------------
VT_API void vt_manual_seed(uint64_t seed) { torch::manual_seed(seed); }
VT_API int vt_get_num_threads() { return at::get_num_threads(); }
// libtorch sets its own and OpenMP's thread counts but not OpenBLAS's, whose pthread build (the BLAS
// that Debian's libtorch uses once libopenblas0-pthread is installed) keeps a pool of its own.
VT_API void vt_set_num_threads(int n) {
  at::set_num_threads(n);
  using SetBlasThreads = void (*)(int);
  if (auto set_blas_threads = reinterpret_cast<SetBlasThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas_threads(n);
  }
}
VT_API int vt_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
VT_API int vt_cuda_device_count() { return static_cast<int>(torch::cuda::device_count()); }
VT_API int vt_is_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
VT_API void vt_set_grad_enabled(int enabled) { at::GradMode::set_enabled(enabled != 0); }
VT_API const char* vt_version() { return TORCH_VERSION; }

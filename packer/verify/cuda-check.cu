// Build-time GPU check: adds two vectors on the device and compares with the host.
#include <cstdio>
#include <cuda_runtime.h>

__global__ void add(const float *a, const float *b, float *c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) c[i] = a[i] + b[i];
}

int main() {
  const int n = 1 << 20;
  float *a, *b, *c;
  if (cudaMallocManaged(&a, n * sizeof(float)) != cudaSuccess || cudaMallocManaged(&b, n * sizeof(float)) != cudaSuccess ||
      cudaMallocManaged(&c, n * sizeof(float)) != cudaSuccess) {
    std::fprintf(stderr, "cudaMallocManaged failed\n");
    return 1;
  }
  for (int i = 0; i < n; i++) { a[i] = i; b[i] = 2 * i; }
  add<<<(n + 255) / 256, 256>>>(a, b, c, n);
  cudaError_t err = cudaDeviceSynchronize();
  if (err != cudaSuccess) { std::fprintf(stderr, "kernel failed: %s\n", cudaGetErrorString(err)); return 1; }
  for (int i = 0; i < n; i++) {
    if (c[i] != 3.0f * i) { std::fprintf(stderr, "mismatch at %d\n", i); return 1; }
  }
  int device; cudaDeviceProp prop;
  cudaGetDevice(&device); cudaGetDeviceProperties(&prop, device);
  std::printf("cuda-check ok on %s (compute %d.%d)\n", prop.name, prop.major, prop.minor);
  return 0;
}

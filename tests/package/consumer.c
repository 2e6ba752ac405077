/* Loads an app from the C API, as a C89 program would, and prints its template size. */
#include <pareto/pareto.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  pareto_app *app = NULL;
  char *json = NULL;
  pareto_status status;
  if (argc != 2) return 2;
  status = pareto_app_load_path(&app, argv[1], NULL);
  if (status != PARETO_OK) {
    fprintf(stderr, "%s: %s\n", pareto_strerror(status), app ? pareto_app_errors(app) : "");
    pareto_app_free(app);
    return 1;
  }
  status = pareto_app_synth(app, &json);
  if (status == PARETO_OK) printf("%s %s %lu\n", pareto_version(), pareto_app_name(app),
                                  (unsigned long)strlen(json));
  pareto_free(json);
  pareto_app_free(app);
  return status == PARETO_OK ? 0 : 1;
}

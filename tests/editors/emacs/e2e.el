;;; e2e.el --- the Emacs snippets of docs/editors.md, run against the real server  -*- lexical-binding: t; -*-

;; emacs --batch -l tests/editors/emacs/e2e.el CLIENT
;; CLIENT is "eglot" or "lsp-mode". The environment gives MODCACHE_DOCS (docs/editors.md) and
;; MODCACHE_WORKSPACE (a copy of the crashing-cycle example, its own git repository, so that
;; project.el takes it as the root); `modcache' must be on PATH, as the snippets expect.
;; The snippet under the CLIENT's heading is evaluated as the documentation prints it; then
;; services.py is opened and the MC002 diagnostic must reach Flymake.
;; Prints "ok - ..." or "not ok - ...: why" lines.

(require 'cl-lib)
(require 'subr-x)

(defvar modcache-test-client (car command-line-args-left))
(setq command-line-args-left nil)

(defun modcache-test-report (name ok &optional why)
  (princ (if ok (format "ok - %s: %s\n" modcache-test-client name)
           (format "not ok - %s: %s: %s\n" modcache-test-client name why))))

(defun modcache-test-snippet (heading)
  "The first elisp block after the line HEADING in the documentation."
  (with-temp-buffer
    (insert-file-contents (getenv "MODCACHE_DOCS"))
    (goto-char (point-min))
    (unless (re-search-forward (concat "^" (regexp-quote heading) "\\b") nil t)
      (error "No heading %s in %s" heading (getenv "MODCACHE_DOCS")))
    (re-search-forward "^```elisp\n")
    (let ((start (point)))
      (re-search-forward "^```$")
      (buffer-substring-no-properties start (match-beginning 0)))))

(defun modcache-test-eval (text)
  (with-temp-buffer
    (insert text)
    (goto-char (point-min))
    (condition-case nil
        (while t (eval (read (current-buffer)) t))
      (end-of-file nil))))

(defun modcache-test-wait (predicate seconds)
  "Runs the event loop until PREDICATE holds or SECONDS have passed."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (funcall predicate)))

(defun modcache-test-mc002 ()
  (cl-find-if (lambda (d) (string-match-p "partially initialized module 'models'" (flymake-diagnostic-text d)))
              (flymake-diagnostics)))

(defun modcache-test-server-live-p ()
  (cl-some (lambda (p) (and (string-match-p "modcache" (format "%s" (process-command p))) (process-live-p p)))
           (process-list)))

(let ((workspace (file-name-as-directory (getenv "MODCACHE_WORKSPACE")))
      (user-emacs-directory (expand-file-name "emacs.d/" (getenv "MODCACHE_OUTPUT"))))
  (setq package-user-dir (expand-file-name "elpa" user-emacs-directory))
  (package-initialize)
  (require 'python)
  (require 'flymake)
  (condition-case err
      (progn
        (pcase modcache-test-client
          ("eglot"
           (require 'eglot)
           (modcache-test-eval (modcache-test-snippet "### eglot")))
          ("lsp-mode"
           (require 'lsp-mode)
           (setq lsp-session-file (expand-file-name "lsp-session" user-emacs-directory)
                 lsp-auto-guess-root t
                 lsp-enable-file-watchers nil
                 lsp-restart 'ignore
                 lsp-keep-workspace-alive nil
                 lsp-diagnostics-provider :flymake
                 lsp-headerline-breadcrumb-enable nil)
           ;; lsp-mode would start every Python server it knows; only modcache is installed here.
           (setq lsp-disabled-clients '(pyls pylsp mspyls pyright jedi ruff-lsp semgrep-ls))
           (modcache-test-eval (modcache-test-snippet "### lsp-mode"))))
        (modcache-test-report "the documented snippet evaluates" t)
        (find-file (expand-file-name "services.py" workspace))
        (python-mode)
        (run-hooks 'post-command-hook)
        (pcase modcache-test-client
          ("eglot" (unless (eglot-current-server) (apply #'eglot (eglot--guess-contact))))
          ("lsp-mode" (unless (bound-and-true-p lsp-mode) (lsp))))
        (let ((diagnostic (modcache-test-wait #'modcache-test-mc002 60)))
          (modcache-test-report
           "MC002 reaches Flymake for services.py:1" diagnostic
           (format "diagnostics: %S" (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
          (when diagnostic
            (modcache-test-report
             "the MC002 diagnostic is an error on line 1"
             (and (eq (flymake-diagnostic-type diagnostic) (if (equal modcache-test-client "eglot") 'eglot-error :error))
                  (= 1 (line-number-at-pos (flymake-diagnostic-beg diagnostic))))
             (format "%S at %s" (flymake-diagnostic-type diagnostic) (line-number-at-pos (flymake-diagnostic-beg diagnostic))))))
        (pcase modcache-test-client
          ("eglot" (eglot-shutdown (eglot-current-server)))
          ("lsp-mode" (lsp-workspace-shutdown (car (lsp-workspaces)))))
        (modcache-test-report "the server exits on shutdown"
                              (modcache-test-wait (lambda () (not (modcache-test-server-live-p))) 10)
                              "still running"))
    (error (modcache-test-report "the test ran to the end" nil (error-message-string err)))))

(kill-emacs 0)
;;; e2e.el ends here

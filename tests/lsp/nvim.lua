-- Headless Neovim as a faultline client, for tests/lsp.rs.
--
-- Works on Neovim 0.7 (Debian bookworm), which has no `vim.lsp.start`
-- (0.8+): a client is started with `vim.lsp.start_client` and attached to
-- the buffer with `vim.lsp.buf_attach_client`. Waits for the estate's
-- diagnostics, writes them to $FAULTLINE_OUT as JSON and quits.

local out = os.getenv("FAULTLINE_OUT")
local function finish(result, code)
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd(code == 0 and "qall!" or ("cquit " .. code))
end

local received = nil
local client = vim.lsp.start_client({
  name = "faultline",
  cmd = { os.getenv("FAULTLINE_BIN"), "lsp" },
  root_dir = os.getenv("FAULTLINE_ROOT"),
  init_options = { today = os.getenv("FAULTLINE_TODAY") },
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      if #result.diagnostics > 0 then
        received = true
      end
    end,
  },
})
if not client then
  finish({ error = "the client did not start" }, 2)
end

vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("FAULTLINE_FILE")))
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client)

if not vim.wait(30000, function() return received end, 20) then
  finish({ error = "no diagnostics within 30 s" }, 3)
end

local list = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(list, {
    lnum = d.lnum,
    col = d.col,
    code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
    source = d.source,
    message = d.message,
  })
end
table.sort(list, function(a, b)
  if a.lnum ~= b.lnum then return a.lnum < b.lnum end
  return a.col < b.col
end)
finish(list, 0)

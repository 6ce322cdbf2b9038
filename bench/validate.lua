-- wrk script: validations of a small planner file (stores nothing).
local body = "unit_code,unit_name,role,industry,detail,source\n" ..
  "500120,璧山区,main,CQ-ICV,,\n500120,璧山区,main,CQ-EIM,,\n500120,璧山区,main,CQ-ADM,,\n500118,永川区,special,CQ-TCM,,\n"
function request()
  return wrk.format("POST", "/api/v1/plans/chongqing-2023/validate", { ["Content-Type"] = "text/csv" }, body)
end
